//! The audio challenge: one embedded clip per character, joined with random gaps and gains over a faint noise.

use std::io::Cursor;
use std::ops::RangeInclusive;

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
clip!('3' '4' '6' '7' '9' 'A' 'C' 'F' 'H' 'K' 'M' 'P' 'R' 'W' 'X' 'Y');

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

/// The samples: for each character a random gap then its clip at a random gain; a short tail; noise throughout.
fn componi(caratteri: &[char], lingua: Lang, rng: &mut (impl Rng + ?Sized)) -> Result<Vec<i16>, CaptchaError> {
    let mut voce: Vec<f32> = Vec::new();
    for &carattere in caratteri {
        let pausa = rng.random_range(PAUSA_MS);
        voce.resize(voce.len() + campioni_in(pausa), 0.0);
        let guadagno = guadagno(rng);
        voce.extend(clip(carattere, lingua)?.into_iter().map(|campione| f32::from(campione) * guadagno));
    }
    voce.resize(voce.len() + campioni_in(CODA_MS), 0.0);
    Ok(voce
        .into_iter()
        .map(|campione| {
            let rumore = rng.random_range(-RUMORE..=RUMORE) as f32;
            // The clips peak at -4 dBFS and the gain adds at most 3 dB, so this clamp is a safety net, not a limiter.
            (campione + rumore).round().clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16
        })
        .collect())
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
fn clip(carattere: char, lingua: Lang) -> Result<Vec<i16>, CaptchaError> {
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
    fn gaps_gains_and_noise_change_at_every_challenge() {
        let caratteri: Vec<char> = "K7AW3".chars().collect();
        let primo = componi(&caratteri, Lang::It, &mut StdRng::seed_from_u64(1)).expect("audio");
        let secondo = componi(&caratteri, Lang::It, &mut StdRng::seed_from_u64(2)).expect("audio");
        assert_ne!(primo, secondo);
        // Before the first clip there are at least 300 ms of noise only: low but not digital silence.
        let inizio = &primo[..campioni_in(*PAUSA_MS.start())];
        assert!(inizio.iter().any(|&c| c != 0), "the background noise is missing");
        assert!(inizio.iter().all(|&c| i32::from(c).abs() <= RUMORE), "the background noise is too loud");
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
