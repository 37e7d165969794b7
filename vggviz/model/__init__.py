"""The network itself: the configurations, layer names, weights, the layer table, receptive fields, AlexNet."""
