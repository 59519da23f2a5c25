//! The `raccolta` binary: command line → configuration → telemetry → the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    raccolta::cli::main()
}
