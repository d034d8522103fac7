//! TODO(core helper): ase
