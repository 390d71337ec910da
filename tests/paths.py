"""Where the tests find the project, their recorded fixtures and the optional reference data pack.

The reference pack (``../shared/data`` beside the checkout) is not part of the repository: tests that compare
against it skip with a reason when it is absent.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PAGES = ROOT / "pages"
STATIC = ROOT / "static"
PACK = ROOT.parent / "shared" / "data"
SAMPLES = PACK / "samples"
FULL = PACK / "full"
