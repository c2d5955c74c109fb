//! The fixed words the renderings add around the content, per locale
//! (Dutch unless the item is in English), and dates written out.

#[derive(Debug)]
pub struct Phrases {
    pub not_online: &'static str,
    pub how: &'static str,
    pub online: &'static str,
    pub with_login: &'static str,
    pub handled_by: &'static str,
    pub checked_on: &'static str,
    pub review_before: &'static str,
    pub overdue: &'static str,
    pub routing: &'static str,
    pub team: &'static str,
    pub departments: &'static str,
    pub short_answer: &'static str,
    pub internal: &'static str,
    pub first_step: &'static str,
    pub eligibility: &'static str,
    pub handover: &'static str,
    pub handover_asked: &'static str,
    pub months: [&'static str; 12],
}

const NL: Phrases = Phrases {
    not_online: "Lukt het niet online?",
    how: "Zo regelt u het",
    online: "Regel het online",
    with_login: "U logt in met",
    handled_by: "Dit regelt u bij",
    checked_on: "Gecontroleerd op",
    review_before: "volgende controle uiterlijk",
    overdue: "Let op: deze tekst had uiterlijk op {date} opnieuw gecontroleerd moeten worden. Controleer de informatie bij twijfel bij het team dat de tekst beheert.",
    routing: "Doorverbinden",
    team: "team",
    departments: "afdelingen",
    short_answer: "Kort antwoord",
    internal: "Intern",
    first_step: "Eerste stap",
    eligibility: "Kom ik in aanmerking?",
    handover: "Wilt u liever een medewerker spreken? {route} Noem dan de gesprekscode {code}: dan hoeft u uw vraag niet opnieuw uit te leggen.",
    handover_asked: "Een medewerker helpt u graag. {route} Noem de gesprekscode {code}: dan hoeft u uw vraag niet opnieuw uit te leggen.",
    months: [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
};

const EN: Phrases = Phrases {
    not_online: "Can't do it online?",
    how: "How to arrange it",
    online: "Arrange it online",
    with_login: "You log in with",
    handled_by: "This is handled by",
    checked_on: "Checked on",
    review_before: "next check by",
    overdue: "Note: this text should have been checked again by {date}. If in doubt, check the information with the team that owns it.",
    routing: "Transfer to",
    team: "team",
    departments: "departments",
    short_answer: "Short answer",
    internal: "Internal",
    first_step: "First step",
    eligibility: "Am I eligible?",
    handover: "Would you rather talk to a person? {route} Mention conversation code {code}, so you need not explain your question again.",
    handover_asked: "A colleague is glad to help you. {route} Mention conversation code {code}, so you need not explain your question again.",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

pub fn phrases(locale: &str) -> &'static Phrases {
    if locale == "en" || locale.starts_with("en-") {
        &EN
    } else {
        &NL
    }
}

impl Phrases {
    /// `2027-02-28` as `28 februari 2027`; anything else unchanged.
    pub fn date(&self, iso: &str) -> String {
        let mut parts = iso.get(..10).unwrap_or(iso).splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return iso.to_string();
        };
        match (m.parse::<usize>(), d.parse::<u32>()) {
            (Ok(m @ 1..=12), Ok(d)) => format!("{d} {} {y}", self.months[m - 1]),
            _ => iso.to_string(),
        }
    }

    /// How a login level enum value reads.
    pub fn login(&self, level: &str) -> Option<String> {
        let (means, strength) = level.split_once('_').unwrap_or((level, ""));
        let means = match means {
            "digid" => "DigiD",
            "eherkenning" => "eHerkenning",
            _ => return None,
        };
        Some(match strength {
            "" => means.to_string(),
            s if s.chars().all(|c| c.is_ascii_digit()) => format!("{means} niveau {s}"),
            s => format!("{means} {s}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_logins_read_as_words() {
        assert_eq!(phrases("nl").date("2027-02-28"), "28 februari 2027");
        assert_eq!(phrases("en").date("2027-02-08"), "8 February 2027");
        assert_eq!(phrases("nl").date("morgen"), "morgen");
        assert_eq!(
            phrases("nl").login("digid_substantieel").as_deref(),
            Some("DigiD substantieel")
        );
        assert_eq!(
            phrases("nl").login("eherkenning_3").as_deref(),
            Some("eHerkenning niveau 3")
        );
        assert_eq!(phrases("nl").login("geen"), None);
    }
}
