"""Reading a person's handwriting: images to MNIST-style digits, the predict API and command line, the drawing canvas."""
