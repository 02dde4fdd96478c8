import numpy as np
import pytest

from course_utils import imagenet
from course_utils.fetch import asset_info
from course_utils.photos import list_photos, load_photo, photo_credit


def test_curated_set_covers_the_lessons():
    assert {"cat", "dog", "bird", "astronaut", "street", "starry_night", "scream"} <= set(list_photos())


def test_load_photo_offline(empty_cache, offline_pack, capsys):
    image = load_photo("cat")
    assert image.shape == (300, 451, 3) and image.dtype == np.uint8
    out = capsys.readouterr().out
    assert "offline pack" in out and "CC0" in out


def test_load_photo_verbose_switch(empty_cache, offline_pack, capsys):
    corrupt = empty_cache / "files" / asset_info("cat")["file"]  # so fetch_file has something to say too
    corrupt.parent.mkdir(parents=True)
    corrupt.write_bytes(b"not a photo")
    quiet = load_photo("cat", verbose=False)
    assert capsys.readouterr().out == ""
    loud = load_photo("cat")
    assert capsys.readouterr().out == f"photo 'cat': 451x300 px, from offline pack. Credit: {photo_credit('cat')}\n"
    np.testing.assert_array_equal(quiet, loud)


@pytest.mark.parametrize("size, shape", [(64, (64, 64, 3)), ((48, 80), (48, 80, 3))])
def test_load_photo_resizes(empty_cache, offline_pack, size, shape):
    assert load_photo("coffee", size).shape == shape


def test_rgb_channel_order(empty_cache, offline_pack):
    red, green, blue = load_photo("coffee").reshape(-1, 3).mean(axis=0)
    assert red > blue  # a brown coffee cup on a red saucer: BGR order would flip this


@pytest.mark.parametrize("size", [0, -3, (10,), (10, 0), "big", 2.5])
def test_bad_size_is_explained(empty_cache, offline_pack, size):
    with pytest.raises(ValueError, match="size must be None, a positive int or \\(height, width\\)"):
        load_photo("cat", size)


def test_unknown_photo_lists_the_curated_ones():
    with pytest.raises(KeyError, match="Unknown photo 'kitten'.*astronaut.*street"):
        load_photo("kitten")
    with pytest.raises(KeyError):
        photo_credit("kitten")


def test_every_photo_has_a_credit():
    for name in list_photos():
        assert len(photo_credit(name)) > 10


def test_imagenet_model_recognises_the_cat(empty_cache, offline_pack):
    import keras

    model = imagenet.load_imagenet_model(160)
    x = keras.applications.mobilenet.preprocess_input(load_photo("cat", 160)[None].astype("float32"))
    top = imagenet.top_classes(model(x, training=False).numpy()[0], top=3)
    assert top[0][0] in range(281, 286), top  # the ImageNet domestic-cat classes
    assert top[0][2] >= top[1][2] >= top[2][2]


def test_imagenet_model_verbose_switch(empty_cache, offline_pack, capsys):
    imagenet.load_imagenet_model(128, logits=True, verbose=False)
    assert capsys.readouterr().out == ""
    model = imagenet.load_imagenet_model(128, logits=True)
    assert capsys.readouterr().out == ("ImageNet MobileNet (alpha 0.25, 128x128, logits out): weights from offline "
                                       f"pack, {model.count_params():,} parameters.\n")


def test_imagenet_bad_arguments():
    with pytest.raises(ValueError, match="input_size must be one of"):
        imagenet.load_imagenet_model(100)
    with pytest.raises(ValueError, match="expected 1,000 ImageNet scores"):
        imagenet.top_classes(np.zeros(10))
    with pytest.raises(ValueError, match="top must be an int from 1 to 1000; got 0"):
        imagenet.top_classes(np.zeros(1000), top=0)


def test_class_names(empty_cache, offline_pack):
    names = imagenet.imagenet_class_names()
    assert len(names) == 1000 and names[281] == "tabby"


def test_imagenet_model_offline_without_pack_explains(empty_cache, no_pack, monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(keras.applications, "MobileNet", offline)
    with pytest.raises(imagenet.AssetUnavailableError, match="MobileNet weights.*failed.*COURSE_OFFLINE_PACK"):
        imagenet.load_imagenet_model()
