//! The vexil command-line tool (placeholder).
fn main() {}
