import pytest

from documents import fonts


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes its files to its own directory, so file assertions are exact."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def no_fonts(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "FONT_CANDIDATES", {"regular": [str(tmp_path / "none.ttc")],
                                                   "bold": [str(tmp_path / "none-bold.ttc")]})
    fonts.reset()
    yield
    monkeypatch.undo()
    fonts.reset()
