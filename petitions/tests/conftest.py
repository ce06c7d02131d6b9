from xinfang.testing import threads_db  # noqa: F401 - the thread tests' database fixture
