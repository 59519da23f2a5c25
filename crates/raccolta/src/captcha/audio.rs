//! The audio challenge: one embedded clip per character, each played at its own speed and pitch, with a slow
//! wobble and scrambled phase, joined with random gaps and gains over background babble (the same voice, reversed,
//! so it is plainly not a letter) and a faint noise. Everything is drawn per challenge, so the committed clips,
//! which anyone can download, no longer match the audio sample by sample.

use std::f32::consts::TAU;
use std::io::Cursor;
use std::ops::{Range, RangeInclusive};

use hound::{SampleFormat, WavReader, WavSpec, WavWriter};
use rand::Rng;

use super::{ALFABETO, CaptchaError};
use crate::i18n::Lang;

/// The format of the clips and of the audio served: 16 kHz is enough for speech and keeps the clips small.
const FORMATO: WavSpec =
    WavSpec { channels: 1, sample_rate: 16_000, bits_per_sample: 16, sample_format: SampleFormat::Int };

/// Silence before each character, in milliseconds: random, so the clips cannot be cut at fixed offsets.
pub(super) const PAUSA_MS: RangeInclusive<u32> = 300..=700;
/// Silence after the last character, so players that fade out do not swallow it.
const CODA_MS: u32 = 300;
/// Largest random change of loudness of a clip, in decibels either way.
const GUADAGNO_DB: f32 = 3.0;
/// Peak of the white background noise: about -40 dBFS, audible in the gaps but far below the voice.
const RUMORE: i32 = 330;
/// Speed of each character relative to its clip, the pitch following it: from a little slower to a little faster.
pub(super) const VELOCITA: Range<f32> = 0.88..1.14;
/// Depth (either way) of a slow wobble of that speed within the character, barely audible.
pub(super) const VIBRATO: Range<f32> = 0.03..0.05;
/// Frequency of the wobble, in Hz.
const VIBRATO_HZ: Range<f32> = 3.0..6.0;
/// All-pass filters per character: they move the phase of every frequency, which the ear ignores and
/// sample-by-sample matching does not.
const SFASATORI: usize = 12;
/// Background voices, each a stream of reversed characters at random speeds.
const VOCI_DI_FONDO: usize = 2;
/// Loudness of each background voice relative to the characters (about -14 to -11 dB).
const BRUSIO: Range<f32> = 0.20..0.28;
/// Peak of the mix before the noise: -1.5 dBFS.
const PICCO: f32 = 27_500.0;

macro_rules! clip {
    ($($carattere:literal)*) => {
        /// The Italian clips, in the order of `ALFABETO`.
        const CLIP_IT: [(char, &[u8]); ALFABETO.len()] = [$(
            ($carattere, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/captcha/it/", $carattere, ".wav"))),
        )*];
        /// The English clips, in the order of `ALFABETO`.
        const CLIP_EN: [(char, &[u8]); ALFABETO.len()] = [$(
            ($carattere, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/captcha/en/", $carattere, ".wav"))),
        )*];
    };
}

// The same characters as ALFABETO, in the same order (a test checks it): `scripts/genera-audio-captcha.sh` makes
// the files, and a missing one fails the build rather than a visitor's challenge.
clip!('3' '6' '7' '9' 'A' 'C' 'F' 'H' 'K' 'M' 'P' 'R' 'W' 'X' 'Y');

/// The WAV file reading `caratteri` (already checked against `ALFABETO`) in `lingua`.
pub(super) fn wav(caratteri: &[char], lingua: Lang, rng: &mut (impl Rng + ?Sized)) -> Result<Vec<u8>, CaptchaError> {
    let campioni = componi(caratteri, lingua, rng)?;
    let mut wav = Cursor::new(Vec::with_capacity(44 + 2 * campioni.len()));
    let mut writer = WavWriter::new(&mut wav, FORMATO).map_err(CaptchaError::Wav)?;
    for campione in campioni {
        writer.write_sample(campione).map_err(CaptchaError::Wav)?;
    }
    writer.finalize().map_err(CaptchaError::Wav)?;
    Ok(wav.into_inner())
}

/// The samples: the voice and the babble mixed, scaled below full scale, with noise throughout.
pub(super) fn componi(
    caratteri: &[char],
    lingua: Lang,
    rng: &mut (impl Rng + ?Sized),
) -> Result<Vec<i16>, CaptchaError> {
    let (mut voce, brusio) = parti(caratteri, lingua, rng)?;
    for (v, b) in voce.iter_mut().zip(&brusio) {
        *v += b;
    }
    let picco = voce.iter().fold(0f32, |m, c| m.max(c.abs()));
    let scala = if picco > PICCO { PICCO / picco } else { 1.0 };
    Ok(voce
        .into_iter()
        .map(|campione| {
            let rumore = rng.random_range(-RUMORE..=RUMORE) as f32;
            (campione * scala + rumore).round().clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16
        })
        .collect())
}

/// The voice (for each character a random gap, then its clip varied, at a random gain; a short tail) and, as long,
/// the babble behind it.
pub(super) fn parti(
    caratteri: &[char],
    lingua: Lang,
    rng: &mut (impl Rng + ?Sized),
) -> Result<(Vec<f32>, Vec<f32>), CaptchaError> {
    let mut voce: Vec<f32> = Vec::new();
    for &carattere in caratteri {
        let pausa = rng.random_range(PAUSA_MS);
        voce.resize(voce.len() + campioni_in(pausa), 0.0);
        let guadagno = guadagno(rng);
        voce.extend(varia(&clip(carattere, lingua)?, rng).into_iter().map(|campione| campione * guadagno));
    }
    voce.resize(voce.len() + campioni_in(CODA_MS), 0.0);
    let alfabeto: Vec<char> = ALFABETO.chars().collect();
    let mut brusio = vec![0f32; voce.len()];
    for _ in 0..VOCI_DI_FONDO {
        let guadagno = rng.random_range(BRUSIO);
        // From the first tenth of a second, so that the gap before the first character is not silence.
        let mut inizio = rng.random_range(0..campioni_in(100));
        while inizio < brusio.len() {
            let carattere = alfabeto[rng.random_range(0..alfabeto.len())];
            let mut parlato = varia(&clip(carattere, lingua)?, rng);
            parlato.reverse();
            for (b, campione) in brusio[inizio..].iter_mut().zip(&parlato) {
                *b += campione * guadagno;
            }
            inizio += parlato.len() + rng.random_range(0..campioni_in(150));
        }
    }
    Ok((voce, brusio))
}

/// `clip` played at a random speed (and so pitch) that wobbles slowly, then through random all-pass filters.
fn varia(clip: &[i16], rng: &mut (impl Rng + ?Sized)) -> Vec<f32> {
    let velocita = rng.random_range(VELOCITA);
    let profondita = rng.random_range(VIBRATO);
    let passo = TAU * rng.random_range(VIBRATO_HZ) / FORMATO.sample_rate as f32;
    let fase = rng.random_range(0.0..TAU);
    let mut campioni = Vec::with_capacity((clip.len() as f32 / velocita * 1.05) as usize);
    let mut posizione = 0f32;
    while let (k, Some(&dopo)) = (posizione as usize, clip.get(posizione as usize + 1)) {
        let frazione = posizione - k as f32;
        campioni.push(f32::from(clip[k]) * (1.0 - frazione) + f32::from(dopo) * frazione);
        posizione += velocita * (1.0 + profondita * (passo * campioni.len() as f32 + fase).sin());
    }
    for _ in 0..SFASATORI {
        // A second-order all-pass centred on a random frequency: unit gain everywhere, phase turned around it.
        let raggio = rng.random_range(0.7f32..0.95);
        let a1 = -2.0 * raggio * (TAU * rng.random_range(100.0..4_000.0) / FORMATO.sample_rate as f32).cos();
        let a2 = raggio * raggio;
        let (mut x1, mut x2, mut y1, mut y2) = (0f32, 0f32, 0f32, 0f32);
        for campione in &mut campioni {
            let x = *campione;
            let y = a2 * x + a1 * x1 + x2 - a1 * y1 - a2 * y2;
            (x2, x1, y2, y1) = (x1, x, y1, y);
            *campione = y;
        }
    }
    campioni
}

/// A random linear gain within ±`GUADAGNO_DB` decibels.
fn guadagno(rng: &mut (impl Rng + ?Sized)) -> f32 {
    10f32.powf(rng.random_range(-GUADAGNO_DB..=GUADAGNO_DB) / 20.0)
}

/// How many samples last `ms` milliseconds.
fn campioni_in(ms: u32) -> usize {
    (FORMATO.sample_rate * ms / 1000) as usize
}

/// The decoded clip reading `carattere` in `lingua`.
pub(super) fn clip(carattere: char, lingua: Lang) -> Result<Vec<i16>, CaptchaError> {
    let tabella = match lingua {
        Lang::It => &CLIP_IT,
        Lang::En => &CLIP_EN,
    };
    let byte = tabella
        .iter()
        .find_map(|&(c, byte)| (c == carattere).then_some(byte))
        .ok_or(CaptchaError::CarattereNonAmmesso(carattere))?;
    let illegibile = |source| CaptchaError::ClipIllegibile { carattere, lingua: lingua.code(), source };
    let reader = WavReader::new(byte).map_err(illegibile)?;
    if reader.spec() != FORMATO {
        return Err(CaptchaError::FormatoClip { carattere, lingua: lingua.code() });
    }
    reader.into_samples::<i16>().collect::<Result<_, _>>().map_err(illegibile)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::captcha::{LUNGHEZZA, audio_wav, nuovo_codice};

    /// Duration in milliseconds of a sample count.
    fn ms(campioni: usize) -> usize {
        campioni * 1000 / FORMATO.sample_rate as usize
    }

    fn durate_clip(lingua: Lang) -> Vec<usize> {
        ALFABETO.chars().map(|c| clip(c, lingua).expect("every clip decodes").len()).collect()
    }

    #[test]
    fn every_character_of_alfabeto_has_a_clip_in_both_languages() {
        let ordine: Vec<char> = ALFABETO.chars().collect();
        for tabella in [&CLIP_IT, &CLIP_EN] {
            assert_eq!(tabella.map(|(c, _)| c).to_vec(), ordine, "the clip table and ALFABETO differ");
        }
        for lingua in Lang::ALL {
            for (c, campioni) in ALFABETO.chars().zip(durate_clip(lingua)) {
                let durata = ms(campioni);
                assert!((150..=1200).contains(&durata), "clip {c:?} ({}) lasts {durata} ms", lingua.code());
            }
        }
    }

    #[test]
    fn audio_is_mono_16_bit_wav_long_enough_for_every_character() {
        let codice = nuovo_codice();
        for lingua in Lang::ALL {
            let wav = audio_wav(&codice, lingua).expect("audio");
            let reader = WavReader::new(wav.as_slice()).expect("the audio is a WAV file");
            assert_eq!(reader.spec(), FORMATO, "mono 16-bit PCM at 16 kHz");
            let campioni: Vec<i16> = reader.into_samples().collect::<Result<_, _>>().expect("samples decode");

            let durate = durate_clip(lingua);
            let clip_minima = durate.iter().min().copied().unwrap_or_default();
            let clip_massima = durate.iter().max().copied().unwrap_or_default();
            let pausa_minima = campioni_in(*PAUSA_MS.start());
            let pausa_massima = campioni_in(*PAUSA_MS.end());
            // The fastest and slowest a character can be played, wobble included.
            let piu_veloce = VELOCITA.end * (1.0 + VIBRATO.end);
            let piu_lento = VELOCITA.start * (1.0 - VIBRATO.end);
            let (clip_minima, clip_massima) =
                ((clip_minima as f32 / piu_veloce) as usize, (clip_massima as f32 / piu_lento) as usize + 1);
            assert!(campioni.len() >= LUNGHEZZA * (clip_minima + pausa_minima), "too short: {} ms", ms(campioni.len()));
            assert!(
                campioni.len() <= LUNGHEZZA * (clip_massima + pausa_massima) + campioni_in(CODA_MS),
                "too long: {} ms",
                ms(campioni.len())
            );
            let picco = campioni.iter().map(|c| c.unsigned_abs()).max().unwrap_or_default();
            assert!(picco > 10_000, "the voice is too quiet (peak {picco})");
        }
    }

    #[test]
    fn the_two_languages_read_the_same_code_differently() {
        let caratteri: Vec<char> = "K7AW3".chars().collect();
        let audio = |lingua| componi(&caratteri, lingua, &mut StdRng::seed_from_u64(7)).expect("audio");
        assert_eq!(audio(Lang::It), audio(Lang::It), "the same randomness gives the same audio");
        assert_ne!(audio(Lang::It), audio(Lang::En), "the language must change the audio");
    }

    #[test]
    fn gaps_gains_speeds_and_babble_change_at_every_challenge() {
        let caratteri: Vec<char> = "K7AW3".chars().collect();
        let primo = componi(&caratteri, Lang::It, &mut StdRng::seed_from_u64(1)).expect("audio");
        let secondo = componi(&caratteri, Lang::It, &mut StdRng::seed_from_u64(2)).expect("audio");
        assert_ne!(primo, secondo);
        let (voce, brusio) = parti(&caratteri, Lang::It, &mut StdRng::seed_from_u64(1)).expect("audio");
        let (_, altro_brusio) = parti(&caratteri, Lang::It, &mut StdRng::seed_from_u64(2)).expect("audio");
        assert!(voce[..campioni_in(*PAUSA_MS.start())].iter().all(|&c| c == 0.0), "the voice starts after a gap");
        let inizio = &brusio[..campioni_in(*PAUSA_MS.start())];
        assert!(inizio.iter().filter(|c| c.abs() > 1_000.0).count() > 100, "babble fills the gaps");
        assert_ne!(brusio[..1_000], altro_brusio[..1_000], "the babble is drawn per challenge");
    }

    #[test]
    fn the_voice_stays_at_least_10_db_above_the_babble() {
        for seme in 0..10 {
            let caratteri: Vec<char> = "K7AW3".chars().collect();
            let (voce, brusio) = parti(&caratteri, Lang::It, &mut StdRng::seed_from_u64(seme)).expect("audio");
            let energia = |c: &[f32]| c.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>();
            // Only where a character is spoken: that is where the babble could cover it.
            let parlato: Vec<usize> = (0..voce.len()).filter(|&i| voce[i].abs() > 500.0).collect();
            let voce_db = energia(&parlato.iter().map(|&i| voce[i]).collect::<Vec<_>>());
            let brusio_db = energia(&parlato.iter().map(|&i| brusio[i]).collect::<Vec<_>>());
            let rapporto = 10.0 * (voce_db / brusio_db).log10();
            assert!(rapporto >= 10.0, "seed {seme}: the voice is only {rapporto:.1} dB above the babble");
        }
    }

    #[test]
    fn a_character_never_repeats_its_clip_sample_by_sample() {
        let originale: Vec<f32> = clip('K', Lang::It).expect("clip").into_iter().map(f32::from).collect();
        for seme in 0..5 {
            let variato = varia(&clip('K', Lang::It).expect("clip"), &mut StdRng::seed_from_u64(seme));
            assert!(variato.len().abs_diff(originale.len()) > originale.len() / 50, "seed {seme}: same duration");
            // The best normalised correlation with the committed clip at any shift of up to 50 ms either way.
            let norma = |c: &[f32]| c.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
            let massima = (0..=1_600)
                .map(|spostamento| {
                    let v = &variato[spostamento.min(variato.len())..];
                    let prodotto: f64 = v.iter().zip(&originale).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum();
                    let n = v.len().min(originale.len());
                    prodotto / (norma(&v[..n]) * norma(&originale[..n])).max(1.0)
                })
                .fold(0f64, f64::max);
            assert!(massima < 0.5, "seed {seme}: still {massima:.2} correlated with the committed clip");
        }
    }

    #[test]
    fn gains_stay_within_3_db() {
        let mut rng = StdRng::seed_from_u64(3);
        let guadagni: Vec<f32> = (0..1000).map(|_| guadagno(&mut rng)).collect();
        let (minimo, massimo) = (10f32.powf(-0.15), 10f32.powf(0.15));
        assert!(guadagni.iter().all(|g| (minimo - 1e-4..=massimo + 1e-4).contains(g)));
        assert!(guadagni.iter().any(|&g| g < 0.8) && guadagni.iter().any(|&g| g > 1.25), "gains do not vary");
    }
}
