//! Fails early, with the command to run, when the front-end assets have not been installed.

fn main() {
    // Read at run time, not compiled in: checkouts sharing one target folder must each check their own tree.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    let dist = std::path::Path::new(&manifest).join("../../node_modules/bootstrap-italia/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    if !dist.join("css/bootstrap-italia.min.css").exists() {
        panic!(
            "\n\nMancano le risorse di Bootstrap Italia ({}).\n\
             Eseguire `npm ci` nella cartella principale del progetto, poi ricompilare.\n\
             Bootstrap Italia assets are missing: run `npm ci` in the project root, then build again.\n",
            dist.display()
        );
    }
}
