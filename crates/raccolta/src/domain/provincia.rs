//! The province of an ente, read from its ISTAT code: the first three digits of a comune's six-digit code are its
//! province's code (ISTAT, *Codici statistici delle unità amministrative territoriali*). The table holds the
//! province codes in use since 2016 and those of the Sardinian provinces of 2005–2016 (an older registry may still
//! carry them); a code not in it is shown as its number, never guessed.

/// (ISTAT code, sigla, name).
const PROVINCE: [(&str, &str, &str); 112] = [
    ("001", "TO", "Torino"),
    ("002", "VC", "Vercelli"),
    ("003", "NO", "Novara"),
    ("004", "CN", "Cuneo"),
    ("005", "AT", "Asti"),
    ("006", "AL", "Alessandria"),
    ("007", "AO", "Aosta"),
    ("008", "IM", "Imperia"),
    ("009", "SV", "Savona"),
    ("010", "GE", "Genova"),
    ("011", "SP", "La Spezia"),
    ("012", "VA", "Varese"),
    ("013", "CO", "Como"),
    ("014", "SO", "Sondrio"),
    ("015", "MI", "Milano"),
    ("016", "BG", "Bergamo"),
    ("017", "BS", "Brescia"),
    ("018", "PV", "Pavia"),
    ("019", "CR", "Cremona"),
    ("020", "MN", "Mantova"),
    ("021", "BZ", "Bolzano/Bozen"),
    ("022", "TN", "Trento"),
    ("023", "VR", "Verona"),
    ("024", "VI", "Vicenza"),
    ("025", "BL", "Belluno"),
    ("026", "TV", "Treviso"),
    ("027", "VE", "Venezia"),
    ("028", "PD", "Padova"),
    ("029", "RO", "Rovigo"),
    ("030", "UD", "Udine"),
    ("031", "GO", "Gorizia"),
    ("032", "TS", "Trieste"),
    ("033", "PC", "Piacenza"),
    ("034", "PR", "Parma"),
    ("035", "RE", "Reggio nell'Emilia"),
    ("036", "MO", "Modena"),
    ("037", "BO", "Bologna"),
    ("038", "FE", "Ferrara"),
    ("039", "RA", "Ravenna"),
    ("040", "FC", "Forlì-Cesena"),
    ("041", "PU", "Pesaro e Urbino"),
    ("042", "AN", "Ancona"),
    ("043", "MC", "Macerata"),
    ("044", "AP", "Ascoli Piceno"),
    ("045", "MS", "Massa-Carrara"),
    ("046", "LU", "Lucca"),
    ("047", "PT", "Pistoia"),
    ("048", "FI", "Firenze"),
    ("049", "LI", "Livorno"),
    ("050", "PI", "Pisa"),
    ("051", "AR", "Arezzo"),
    ("052", "SI", "Siena"),
    ("053", "GR", "Grosseto"),
    ("054", "PG", "Perugia"),
    ("055", "TR", "Terni"),
    ("056", "VT", "Viterbo"),
    ("057", "RI", "Rieti"),
    ("058", "RM", "Roma"),
    ("059", "LT", "Latina"),
    ("060", "FR", "Frosinone"),
    ("061", "CE", "Caserta"),
    ("062", "BN", "Benevento"),
    ("063", "NA", "Napoli"),
    ("064", "AV", "Avellino"),
    ("065", "SA", "Salerno"),
    ("066", "AQ", "L'Aquila"),
    ("067", "TE", "Teramo"),
    ("068", "PE", "Pescara"),
    ("069", "CH", "Chieti"),
    ("070", "CB", "Campobasso"),
    ("071", "FG", "Foggia"),
    ("072", "BA", "Bari"),
    ("073", "TA", "Taranto"),
    ("074", "BR", "Brindisi"),
    ("075", "LE", "Lecce"),
    ("076", "PZ", "Potenza"),
    ("077", "MT", "Matera"),
    ("078", "CS", "Cosenza"),
    ("079", "CZ", "Catanzaro"),
    ("080", "RC", "Reggio Calabria"),
    ("081", "TP", "Trapani"),
    ("082", "PA", "Palermo"),
    ("083", "ME", "Messina"),
    ("084", "AG", "Agrigento"),
    ("085", "CL", "Caltanissetta"),
    ("086", "EN", "Enna"),
    ("087", "CT", "Catania"),
    ("088", "RG", "Ragusa"),
    ("089", "SR", "Siracusa"),
    ("090", "SS", "Sassari"),
    ("091", "NU", "Nuoro"),
    ("092", "CA", "Cagliari"),
    ("093", "PN", "Pordenone"),
    ("094", "IS", "Isernia"),
    ("095", "OR", "Oristano"),
    ("096", "BI", "Biella"),
    ("097", "LC", "Lecco"),
    ("098", "LO", "Lodi"),
    ("099", "RN", "Rimini"),
    ("100", "PO", "Prato"),
    ("101", "KR", "Crotone"),
    ("102", "VV", "Vibo Valentia"),
    ("103", "VB", "Verbano-Cusio-Ossola"),
    ("104", "OT", "Olbia-Tempio"),
    ("105", "OG", "Ogliastra"),
    ("106", "VS", "Medio Campidano"),
    ("107", "CI", "Carbonia-Iglesias"),
    ("108", "MB", "Monza e della Brianza"),
    ("109", "FM", "Fermo"),
    ("110", "BT", "Barletta-Andria-Trani"),
    ("111", "SU", "Sud Sardegna"),
    ("292", "CA", "Cagliari"),
];

/// The province code of an ente's ISTAT code (`058091` → `058`), when it has one.
pub fn codice(codice_istat: Option<&str>) -> Option<&str> {
    let c = codice_istat?.trim();
    (c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())).then(|| &c[..3])
}

/// "Roma (RM)" for a province code; "ISTAT 123" for one the table does not know.
pub fn nome(codice: &str) -> String {
    match PROVINCE.iter().find(|(c, _, _)| *c == codice) {
        Some((_, sigla, nome)) => format!("{nome} ({sigla})"),
        None => format!("ISTAT {codice}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comune_s_code_gives_its_province() {
        assert_eq!(codice(Some("058091")), Some("058"));
        assert_eq!(nome("058"), "Roma (RM)");
        assert_eq!(codice(Some("015146")).map(nome).as_deref(), Some("Milano (MI)"));
        assert_eq!(codice(Some("5809")), None);
        assert_eq!(codice(None), None);
        assert_eq!(nome("999"), "ISTAT 999");
    }

    #[test]
    fn codes_are_unique_and_sorted() {
        for w in PROVINCE.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
    }
}
