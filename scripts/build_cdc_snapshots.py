"""Rebuild the bundled snapshots of the CDC tables from the reference data pack.

The three data.cdc.gov tables go through the same ``tidy`` as a live fetch, so the bundled copy and a
refreshed copy cannot drift:

* ``state_drug_poisoning`` <- ``state_drug_poisoning_mortality_1999_2017.csv`` (the complete ``jx6g-fdh6``
  CSV export, 1999-2017 release);
* ``drug_overdose_rates`` <- ``full/95ax-ymtc_full.csv`` (the whole ``95ax-ymtc`` export, 6,228 rows);
* ``vsrr_provisional`` <- ``national_provisional_vsrr_december.csv`` (US, 12 months ending each December,
  2015-2024) plus the real rows of ``samples/vsrr_xkb8-kh2a_csv_sample.csv``; where both give the same figure
  they must agree, or the build stops.

and one table with no live endpoint:

* ``state_overdose_mortality`` <- ``full/nchs_sosmap_state_overdose_mortality_1999_2021.csv`` (NCHS's *Drug
  Overdose Mortality by State*, 50 states, 1999, 2005 and 2014-2021). Every state-year it shares with
  ``jx6g-fdh6`` must agree (deaths exactly, rates to 0.1) except the documented ones, and its later rows must
  fit each state's size, or the build stops.

Files under ``full/`` are checked against the pack's ``full/SHA256SUMS`` first: a changed copy is refused.

Run from the project directory: ``.venv/bin/python -m scripts.build_cdc_snapshots [--data-dir ../shared/data]``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from pathlib import Path

from data_sources import nchs_drug_overdose_rates, nchs_state_drug_poisoning, nchs_state_overdose_mortality, nchs_vsrr
from data_sources.snapshot import SNAPSHOT_DIR, write_table
from data_sources.socrata import parse_number, records_from_csv_export

# When each copy entered the data pack (its "retrieved at": the publisher's data can be no newer than this).
PACK_AT = "2026-11-22T00:00:00+00:00"
FULL_AT = "2026-11-29T00:00:00+00:00"  # the pack's full/ folder, "Added 2026-11-29"
RATES_FILE = Path("full") / "95ax-ymtc_full.csv"
STATES_FILE = Path("full") / "nchs_sosmap_state_overdose_mortality_1999_2021.csv"


def verified(data_dir: Path, name: Path) -> Path:
    """``data_dir / name`` after checking its sha256 against the pack's ``full/SHA256SUMS``; raises ValueError
    naming the file when it is not listed or its bytes changed."""
    path = data_dir / name
    sums = {}
    for line in (data_dir / "full" / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, _, listed = line.partition("  ")
        sums[listed.removeprefix("./")] = digest
    listed = str(name.relative_to("full"))
    if listed not in sums:
        raise ValueError(f"{path}: not listed in full/SHA256SUMS")
    found = hashlib.sha256(path.read_bytes()).hexdigest()
    if found != sums[listed]:
        raise ValueError(f"{path}: sha256 {found[:12]}... differs from full/SHA256SUMS ({sums[listed][:12]}...)")
    return path


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
        records_from_csv_export(verified(data_dir, RATES_FILE), nchs_drug_overdose_rates.CSV_FIELDS)
    )
    vsrr = nchs_vsrr.tidy(vsrr_records(data_dir))
    later = nchs_state_overdose_mortality.tidy(
        nchs_state_overdose_mortality.read_export(verified(data_dir, STATES_FILE))
    )
    nchs_state_overdose_mortality.check_against(state, later)
    nchs_state_overdose_mortality.check_sizes(later, state)
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
            "Complete 95ax-ymtc CSV export (6,228 rows, 1999-2018), as copied into the data pack (full/"
            "95ax-ymtc_full.csv) from Cassie-Charoenpol/US-Drug-Overdose-Rate, Drug_Overdose_Rate.csv "
            "(commit 1e6ae40d); byte-identical to UCB-stat-159-f25/final-group09 (commit 8a5fd197).",
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
            "retrieved_at": FULL_AT if module is nchs_drug_overdose_rates else PACK_AT,
        }
        path = write_table(module.TABLE, frame, SNAPSHOT_DIR, meta, compress=True)
        print(f"wrote {len(frame):,} rows to {path}")
    module = nchs_state_overdose_mortality
    meta = {
        "title": module.SOURCE.title,
        "origin": "The CSV behind NCHS's state map page (500 rows: 50 states x 1999, 2005, 2014-2021), as copied "
        "into the data pack (full/nchs_sosmap_state_overdose_mortality_1999_2021.csv) from "
        "Ilissagarcia/OpioidCapstone, data/data-table.csv (commit 44e1e767).",
        "checked": f"{module.compared(state, later)} figures shared with jx6g-fdh6 compared; they differ only in "
        + "; ".join(f"{code} {year}: {why}" for (code, year), why in module.KNOWN_DISAGREEMENTS.items()),
        "built_by": "scripts/build_cdc_snapshots.py",
        "retrieved_at": FULL_AT,
    }
    path = write_table(module.TABLE, later, SNAPSHOT_DIR, meta, compress=True)
    print(f"wrote {len(later):,} rows to {path}")


if __name__ == "__main__":
    main()
