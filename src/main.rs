fn main() -> std::process::ExitCode {
    spof::cli::main()
}
