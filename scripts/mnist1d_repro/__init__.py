"""Library behind the MNIST-1D reproduction pipeline (generator, variants, I/O, report helpers)."""
