//! Fails early, with the command to run, when the front-end assets have not been installed.

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/bootstrap-italia/dist");
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
