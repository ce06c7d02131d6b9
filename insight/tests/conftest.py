import pytest

from insight import store


@pytest.fixture
def insight_dir(settings, tmp_path):
    """Models and indexes of one test, in a folder of its own."""
    settings.INSIGHT_DIR = tmp_path / "insight"
    store.forget()
    yield settings.INSIGHT_DIR
    store.forget()
