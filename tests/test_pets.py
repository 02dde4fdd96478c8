import numpy as np
import pytest

from course_utils.pets import load_pet_sample


def test_pet_sample_offline(empty_cache, offline_pack, capsys):
    pets = load_pet_sample(64)
    assert pets.images.shape == (26, 64, 64, 3) and pets.images.dtype == np.uint8
    assert pets.masks.shape == (26, 64, 64) and pets.masks.dtype == bool
    assert 0.1 < pets.masks.mean() < 0.7  # the animal fills part of each photo, never all of it
    assert pets.species.count("cat") == 18 and pets.species.count("dog") == 8
    assert pets.breeds[0] == "Abyssinian"
    out = capsys.readouterr().out
    assert "26 photos with masks" in out and "offline pack" in out and "CC BY-SA 4.0" in out


def test_pet_sample_quietly(empty_cache, offline_pack, capsys):
    assert load_pet_sample(16, verbose=False).images.shape == (26, 16, 16, 3)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("size", [0, 8, 2000, 64.0, True, "224"])
def test_bad_size_is_explained(size):
    with pytest.raises(ValueError, match="size must be an int from 16 to 1024"):
        load_pet_sample(size)
