use std::process::ExitCode;

// jemalloc: about a fifth less CPU per write than glibc's malloc on the bench, and freed
// memory handed back (decision 0025; its settings are in .cargo/config.toml).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    galley::main_entry().await
}
