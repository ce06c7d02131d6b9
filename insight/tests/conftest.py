import pytest

from insight import selectors, services, store
from insight.tests.app_data import history


@pytest.fixture
def insight_dir(settings, tmp_path):
    """Models and indexes of one test, in a folder of its own."""
    settings.INSIGHT_DIR = tmp_path / "insight"
    store.forget()
    yield settings.INSIGHT_DIR
    store.forget()


@pytest.fixture
def suggesters(cast, insight_dir, monkeypatch):
    """Every suggester trained (by the officer) on the office's history of app_data; {kind: TrainResult}."""
    monkeypatch.setitem(selectors.MIN_PER_LABEL, "category_path", 10)
    history(cast)
    return {kind: services.train_suggester(kind, actor=cast.officer) for kind in services.SUGGESTER_KINDS}
