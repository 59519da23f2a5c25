//! `/accesso` (login), `/esci` (logout), `/area-riservata` (the reserved home).

pub mod area;
pub mod entra;
pub mod esci;

/// Where to go after login: a same-site path, never another host.
pub fn destinazione(torna: &str) -> String {
    if crate::web::pubblico::lingua::is_local_path(torna) && !torna.starts_with("/accesso") {
        torna.to_owned()
    } else {
        "/area-riservata".to_owned()
    }
}
