# The fees' two communities and their readers, for every test of fees.
from tests.schema.fees.test_fees import ledger  # noqa: F401 (a fixture)
