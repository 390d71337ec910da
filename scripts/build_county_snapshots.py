"""Build the bundled county and nonfatal-overdose snapshots from the reference data pack (``shared/data/full``).

Load -> tidy -> save, through the same ``tidy`` the tests exercise:

* ``county_model_rates`` <- ``nchs_pbkm-d27e_county_model_based_1999_2016.csv`` (NCHS model-based county death
  rates as 16 ranges, 56,448 county-years) -> ``data_sources/snapshots/county_model_rates.csv.gz``;
* ``dose_nonfatal`` <- ``dose_dx_2018_2023/`` (CDC DOSE jurisdiction and county sheets and the submission counts;
  yearly figures only, the monthly rows are checked and left out) -> ``data_sources/snapshots/dose_nonfatal.csv.gz``.

Both are written by the one writer (``snapshot.write_table`` -> ``export.to_csv_bytes``) and stored gzipped
(``compress=True``: the plain CSVs are several MB each; gzip keeps a fresh clone light). Any row the loaders
refuse stops the build with the loader's message.

Run: ``python -m scripts.build_county_snapshots [--data-dir ../shared/data]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from data_sources import cdc_dose_nonfatal, nchs_county_model
from data_sources.snapshot import SNAPSHOT_DIR, write_table

BUILT_AT = "2026-11-29T00:00:00+00:00"  # when these snapshots were built from the data pack
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    full = parser.parse_args().data_dir / "full"

    county = nchs_county_model.tidy(
        nchs_county_model.read_export(full / "nchs_pbkm-d27e_county_model_based_1999_2016.csv")
    )
    dose = cdc_dose_nonfatal.tidy(*cdc_dose_nonfatal.read_download(full / "dose_dx_2018_2023"))
    builds = [
        (
            nchs_county_model.TABLE,
            county,
            {
                "title": nchs_county_model.SOURCE.title,
                "dataset_id": nchs_county_model.DATASET_ID,
                "origin": "Complete pbkm-d27e CSV export, 1999-2016 release (56,448 county-years), copied into the "
                "data pack from thomasbarber21/Overdose_Deaths_Analysis_R (data.csv, commit c3fc996d); equal on "
                "every county-year to GabrielKahn/County-Health-Report (commit 9246bc88).",
            },
        ),
        (
            cdc_dose_nonfatal.TABLE,
            dose,
            {
                "title": cdc_dose_nonfatal.SOURCE.title,
                "origin": "CDC DOSE dashboard download DOSE_dx_Dashboard_011325, sheets Jurisdiction Counts & Rates "
                "(5,018 rows, of which the 386 yearly rows are kept), County Counts & Rates (14,196 rows) and US "
                "Jurisdiction Submissions (156 rows, of which the 12 yearly rows are kept), as CSVs copied into the "
                "data pack from mattkiefer/us-overdoses (data/cdc/DOSE_dx_Dashboard_011325-2/, commit 726e2a90).",
            },
        ),
    ]
    for name, frame, meta in builds:
        meta = {**meta, "built_by": "scripts/build_county_snapshots.py", "retrieved_at": BUILT_AT}
        path = write_table(name, frame, SNAPSHOT_DIR, meta, compress=True)
        print(f"wrote {len(frame):,} rows to {path} ({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
