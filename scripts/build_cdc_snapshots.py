"""Rebuild the bundled snapshots of the three data.cdc.gov tables from the reference data pack.

Each goes through the same ``tidy`` as a live fetch, so the bundled copy and a refreshed copy cannot drift:

* ``state_drug_poisoning`` <- ``state_drug_poisoning_mortality_1999_2017.csv`` (the complete ``jx6g-fdh6``
  CSV export, 1999-2017 release);
* ``drug_overdose_rates`` <- ``samples/95ax-ymtc_sample.csv`` (370 real rows of the ``95ax-ymtc`` export:
  the complete export was not available offline, so the bundled table is partial and says so);
* ``vsrr_provisional`` <- ``national_provisional_vsrr_december.csv`` (US, 12 months ending each December,
  2015-2024) plus the real rows of ``samples/vsrr_xkb8-kh2a_csv_sample.csv``; where both give the same figure
  they must agree, or the build stops.

Run from the project directory: ``.venv/bin/python -m scripts.build_cdc_snapshots [--data-dir ../shared/data]``.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from data_sources import nchs_drug_overdose_rates, nchs_state_drug_poisoning, nchs_vsrr
from data_sources.snapshot import SNAPSHOT_DIR, write_table
from data_sources.socrata import parse_number, records_from_csv_export

BUILT_AT = "2026-11-22T00:00:00+00:00"  # when these snapshots were built from the data pack


def vsrr_records(data_dir: Path) -> list[dict]:
    """The December national rows (in SODA field names) followed by the sample rows, de-duplicated."""
    december = []
    with (data_dir / "national_provisional_vsrr_december.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            december.append(
                {
                    "state": "US",
                    "state_name": "United States",
                    "year": row["year"],
                    "month": "December",
                    "period": nchs_vsrr.PERIOD,
                    "indicator": row["indicator"],
                    "data_value": row["data_value"],
                    "predicted_value": row["predicted_value"],
                    "percent_complete": "",
                    "percent_pending_investigation": "",
                    "footnote": "",
                    "footnote_symbol": row["footnote_symbol"],
                }
            )
    sample = records_from_csv_export(data_dir / "samples" / "vsrr_xkb8-kh2a_csv_sample.csv", nchs_vsrr.CSV_FIELDS)
    key = ("state", "year", "month", "indicator")
    by_key = {tuple(r[k] for k in key): r for r in december}
    for row in sample:
        other = by_key.get(tuple(row[k] for k in key))
        if other and (parse_number(other["data_value"]), parse_number(other["predicted_value"])) != (
            parse_number(row["data_value"]),
            parse_number(row["predicted_value"]),
        ):
            raise ValueError(f"VSRR files disagree on {row}: {other}")
        by_key[tuple(row[k] for k in key)] = row  # the sample row also carries percent complete/pending
    return list(by_key.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    data_dir = parser.parse_args().data_dir

    state = nchs_state_drug_poisoning.tidy(
        records_from_csv_export(
            data_dir / "state_drug_poisoning_mortality_1999_2017.csv", nchs_state_drug_poisoning.CSV_FIELDS
        )
    )
    rates = nchs_drug_overdose_rates.tidy(
        records_from_csv_export(data_dir / "samples" / "95ax-ymtc_sample.csv", nchs_drug_overdose_rates.CSV_FIELDS)
    )
    vsrr = nchs_vsrr.tidy(vsrr_records(data_dir))
    builds = [
        (
            nchs_state_drug_poisoning,
            state,
            "Complete jx6g-fdh6 CSV export, 1999-2017 release (3,021 rows), "
            "as copied into the data pack from manjunath5496/CSV-Datasets_4 (commit c75f370c).",
        ),
        (
            nchs_drug_overdose_rates,
            rates,
            "PARTIAL: 370 real rows of the 95ax-ymtc CSV export (Total and Sex "
            "rows for every drug 1999-2018, 2018 age rows, some race rows), from UCB-stat-159-f25/final-group09 "
            "(commit 8a5fd197) via the data pack. Run `make refresh` for the complete table.",
        ),
        (
            nchs_vsrr,
            vsrr,
            "US rows, 12 months ending each December 2015-2024, from an xkb8-kh2a CSV export with "
            "data through April 2025 (ellaprince90/overdose-data-us, commit 0e93ff04), plus 19 real rows of the "
            "export (states and months) with percent complete and pending investigation.",
        ),
    ]
    for module, frame, origin in builds:
        meta = {
            "title": module.SOURCE.title,
            "dataset_id": module.DATASET_ID,
            "origin": origin,
            "built_by": "scripts/build_cdc_snapshots.py",
            "retrieved_at": BUILT_AT,
        }
        path = write_table(module.TABLE, frame, SNAPSHOT_DIR, meta)
        print(f"wrote {len(frame):,} rows to {path}")


if __name__ == "__main__":
    main()
