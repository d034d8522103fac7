//! TODO(core helper): detection
