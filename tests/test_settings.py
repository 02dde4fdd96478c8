import pytest

from course_utils.settings import cache_dir, cap, current_profile, offline_pack_dir


def test_default_profile_is_workshop(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    assert current_profile() == "workshop"


@pytest.mark.parametrize("value", ["full", "workshop", "smoke", " SMOKE "])
def test_known_profiles(monkeypatch, value):
    monkeypatch.setenv("COURSE_PROFILE", value)
    assert current_profile() == value.strip().lower()


def test_unknown_profile_names_the_valid_ones(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(ValueError, match="full, workshop, smoke.*'fast'"):
        current_profile()


@pytest.mark.parametrize("profile, expected", [("full", 60), ("workshop", 5), ("smoke", 1)])
def test_cap_epochs_by_profile(monkeypatch, profile, expected):
    monkeypatch.setenv("COURSE_PROFILE", profile)
    assert cap(60, "epochs") == expected


def test_cap_never_raises_a_small_value(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "workshop")
    assert cap(3, "epochs") == 3 and cap(200, "steps") == 200


@pytest.mark.parametrize("n, kind, message", [
    (10, "epoch", "kind must be one of epochs, images, steps, samples"),
    (0, "steps", "positive int"), (2.5, "steps", "positive int"), (True, "steps", "positive int"),
])
def test_cap_rejects_bad_arguments(n, kind, message):
    with pytest.raises(ValueError, match=message):
        cap(n, kind)


def test_missing_offline_pack_folder_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_OFFLINE_PACK", str(tmp_path / "nope"))
    with pytest.raises(FileNotFoundError, match="not a folder"):
        offline_pack_dir()


def test_unset_offline_pack_means_none(no_pack):
    assert offline_pack_dir() is None


def test_cache_dir_is_created(empty_cache):
    assert cache_dir() == empty_cache and empty_cache.is_dir()


def test_notebook_kernels_get_a_valid_profile():
    from course_utils.tools.execute import kernel_environment

    assert kernel_environment("smoke")["COURSE_PROFILE"] == "smoke"
    with pytest.raises(ValueError, match="profile must be one of full, workshop, smoke; got 'quick'"):
        kernel_environment("quick")


def test_cap_for_another_profile(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    assert cap(60_000, "images", profile="full") == 60_000 and cap(60_000, "images") == 1_000
    with pytest.raises(ValueError, match="profile must be one of"):
        cap(5, "epochs", profile="fast")
