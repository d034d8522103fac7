//! TODO(core helper): clock
