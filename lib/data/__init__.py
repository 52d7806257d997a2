"""Numbers made of MNIST digits: loading MNIST, generators, layouts, preprocessing, augmentation, splits and the fixed sets."""
