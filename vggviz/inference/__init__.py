"""Forward passes: one analysis of an image, dense (fully convolutional) evaluation."""
