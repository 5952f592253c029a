# Path builders of dataset.smk: the files its rules write and read, from the config.


def section_dataset(variant="original"):
    """A file of the dataset that section 3 (and its figures) is about."""
    return dataset_path(config["dataset_section"]["dataset"], variant)
