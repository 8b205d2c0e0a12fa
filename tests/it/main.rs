//! The one integration-test binary: every module here tests the public API from outside.

mod support;
