"""A pytest plugin that loam's test command loads into the argilla SDK's own integration suite.

It changes no test. It only spaces out tests that name their datasets after the current second:
`tests/integration/test_add_records.py` creates `test_add_records<YYYYmmddHHMMSS>` in both
`test_add_records` and `test_add_record_resources`. Against the reference server each test takes
seconds, so the names differ; loam runs the whole file in about one second, and the second create
then meets the first dataset (still present, the suite cleans up only at the end) and gets the 409
a duplicate name deserves. Waiting for the next wall-clock second before each of those tests gives
them distinct names, as they have against a slower server.
"""

import time

SECOND_NAMED = {
    "tests/integration/test_add_records.py::test_add_records",
    "tests/integration/test_add_records.py::test_add_record_resources",
}


def pytest_runtest_setup(item):
    if item.nodeid in SECOND_NAMED:
        now = time.time()
        time.sleep(1.0 - (now - int(now)) + 0.01)
