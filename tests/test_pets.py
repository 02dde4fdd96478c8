import numpy as np
import pytest

from course_utils.pets import load_pet_sample


def test_pet_sample_ships_with_the_course(empty_cache, no_pack, capsys):
    """No offline pack and no network needed: the 26 photos and masks are course data."""
    pets = load_pet_sample(64)
    assert pets.images.shape == (26, 64, 64, 3) and pets.images.dtype == np.uint8
    assert pets.masks.shape == (26, 64, 64) and pets.masks.dtype == bool
    assert pets.labels.dtype == np.uint8 and set(np.unique(pets.labels)) == {0, 1, 2, 255}
    assert np.array_equal(pets.masks, pets.labels != 0)
    assert 0.1 < pets.masks.mean() < 0.7  # the animal fills part of each photo, never all of it
    assert pets.species.count("cat") == 18 and pets.species.count("dog") == 8
    assert pets.breeds[0] == "Abyssinian"
    out = capsys.readouterr().out
    assert "26 photos with masks" in out and "from course data" in out and "CC BY-SA 4.0" in out


def test_changed_course_copy_is_not_used(empty_cache, offline_pack, monkeypatch, tmp_path, capsys):
    """A learner's edited copy of a sample file is refused (sha256) and the pack's copy used instead."""
    import shutil

    from course_utils import fetch

    data = tmp_path / "data"
    shutil.copytree(fetch.DATA_DIR / "samples", data / "samples")
    (data / "samples/oxford-pets/images/Abyssinian_1.jpg").write_bytes(b"not a photo")
    monkeypatch.setattr(fetch, "DATA_DIR", data)
    assert fetch.fetch_file("pet_image_Abyssinian_1").source == "offline pack"
    assert "missing or changed" in capsys.readouterr().out
    assert fetch.fetch_file("pet_image_Abyssinian_11").source == "course data"


def test_pet_sample_quietly(empty_cache, offline_pack, capsys):
    assert load_pet_sample(16, verbose=False).images.shape == (26, 16, 16, 3)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("size", [0, 8, 2000, 64.0, True, "224"])
def test_bad_size_is_explained(size):
    with pytest.raises(ValueError, match="size must be an int from 16 to 1024"):
        load_pet_sample(size)
