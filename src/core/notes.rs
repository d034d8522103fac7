//! TODO(core helper): notes
