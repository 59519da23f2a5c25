//! Captcha: image and audio challenges (being written).
