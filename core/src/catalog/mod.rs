//! The unit primitive catalog.
