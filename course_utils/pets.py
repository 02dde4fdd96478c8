"""The Oxford-IIIT Pet sample: 26 photos of cats and dogs with pixel masks (introduced in lesson 07).

Lesson 07 checks whether explanations point at the animal; lesson 08 learns to segment it. The files
ship with the course under ``data/samples/oxford-pets/`` (CC BY-SA 4.0, credit in its README) and are
sha256-checked through the registry; the full dataset is at robots.ox.ac.uk/~vgg/data/pets.
"""
from dataclasses import dataclass

import numpy as np

from .fetch import fetch_file, load_registry, mute_unless
from .validate import check_int_in_range

CREDIT = "Oxford-IIIT Pet dataset (O. M. Parkhi, A. Vedaldi, A. Zisserman, C. V. Jawahar, 2012), CC BY-SA 4.0"


@dataclass
class PetSample:
    """Photos ``(N, size, size, 3)`` uint8, masks ``(N, size, size)`` bool (True on the animal), the
    masks' class ids ``(N, size, size)`` uint8 (0 background, 1 cat, 2 dog, 255 outline), species
    (``"cat"``/``"dog"``) and breed names, one per photo."""

    images: np.ndarray
    masks: np.ndarray
    labels: np.ndarray
    species: list
    breeds: list
    source: str


def load_pet_sample(size=224, *, verbose=True):
    """Load the pet photos and their masks, resized to ``size`` x ``size`` pixels (no cropping).

    The mask PNGs hold class ids (0 background, 1 cat, 2 dog, 255 the outline between animal and
    background): the mask counts the animal and its outline as object, and the ids give the species.
    ``verbose=False`` prints nothing instead of the files' source and credit.
    """
    import cv2
    from PIL import Image  # reads the palette indices of the mask PNGs, which OpenCV turns into colours

    check_int_in_range("size", size, 16, 1024)
    stems = sorted(name[len("pet_image_"):] for name in load_registry() if name.startswith("pet_image_"))
    images, labels, species, breeds, sources = [], [], [], [], set()
    with mute_unless(verbose):
        for stem in stems:
            photo, mask = fetch_file(f"pet_image_{stem}"), fetch_file(f"pet_mask_{stem}")
            sources |= {photo.source, mask.source}
            rgb = cv2.cvtColor(cv2.imread(str(photo.path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
            class_ids = np.asarray(Image.open(mask.path))
            images.append(cv2.resize(rgb, (size, size), interpolation=cv2.INTER_AREA))
            labels.append(cv2.resize(class_ids, (size, size), interpolation=cv2.INTER_NEAREST))
            kinds = set(np.unique(class_ids)) & {1, 2}
            species.append("cat" if kinds == {1} else "dog")
            breeds.append(stem.rsplit("_", 1)[0].replace("_", " "))
        source = " + ".join(sorted(sources))
        print(f"Pet sample: {len(images)} photos with masks ({species.count('cat')} cats, "
              f"{species.count('dog')} dogs), {size}x{size}, from {source}. {CREDIT}")
    labels = np.stack(labels)
    return PetSample(np.stack(images), labels != 0, labels, species, breeds, source)
