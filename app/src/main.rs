use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    galley::main_entry().await
}
