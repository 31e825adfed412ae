//! Runscope-like generated names, as Okta's initial scripts make them, from a seed so a run can be
//! repeated: given name `Runscope` + 3 digits, family name one capital + 8 lowercase + 3 digits,
//! email and userName `given+family@atko.com` (mixed case), and the all-caps variant of the whole
//! address. Plus the constants of Okta's SPEC test (the unknown email and the two digit-string ids),
//! and the whole variable set Okta's initial scripts produce, for runs without the script.

/// The email Okta's SPEC step 3 looks up and expects not to find.
pub const INVALID_USER_EMAIL: &str = "abcdefgh@atko.com";
/// The 30-digit id of SPEC step 4 (`UserIdThatDoesNotExist`).
pub const USER_ID_THAT_DOES_NOT_EXIST: &str = "010101001010101011001010101011";
/// The 17-digit id of SPEC step 12.
pub const SECOND_BOGUS_ID: &str = "00919288221112222";

/// A small deterministic generator (splitmix64): the same seed gives the same names.
#[derive(Debug, Clone)]
pub struct NameSource {
    state: u64,
}

/// One generated person, in the shape of `Initial_Script_Spec.txt`'s variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// `randomGivenName`, e.g. `Runscope482`.
    pub given_name: String,
    /// `randomFamilyName`, e.g. `Hfluaklab151`.
    pub family_name: String,
    /// `randomEmail` = `randomUsername`, e.g. `Runscope482Hfluaklab151@atko.com`.
    pub email: String,
}

impl Person {
    /// `randomUsername`: the email, mixed case.
    pub fn user_name(&self) -> &str {
        &self.email
    }

    /// `randomUsernameCaps`: the whole address uppercased.
    pub fn user_name_caps(&self) -> String {
        self.email.to_uppercase()
    }

    /// `given family`, Okta's displayName.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

impl NameSource {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// One character of `alphabet`, uniformly.
    fn pick(&mut self, alphabet: &str) -> char {
        let chars: Vec<char> = alphabet.chars().collect();
        chars[(self.next_u64() % chars.len() as u64) as usize]
    }

    fn string(&mut self, alphabet: &str, length: usize) -> String {
        (0..length).map(|_| self.pick(alphabet)).collect()
    }

    /// A person named like Okta's initial script names one.
    pub fn person(&mut self) -> Person {
        let given_name = format!("Runscope{}", self.digits(3));
        let family_name = format!(
            "{}{}{}",
            self.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            self.string("abcdefghijklmnopqrstuvwxyz", 8),
            self.digits(3)
        );
        let email = format!("{given_name}{family_name}@atko.com");
        Person {
            given_name,
            family_name,
            email,
        }
    }

    /// `n` decimal digits.
    pub fn digits(&mut self, n: usize) -> String {
        self.string("0123456789", n)
    }

    /// An Okta user id lookalike (`00u` + 17 alphanumerics), Okta's `externalId`.
    pub fn okta_user_id(&mut self) -> String {
        format!(
            "00u{}",
            self.string(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                17
            )
        )
    }

    /// A placeholder password like the one Okta always sends.
    pub fn password(&mut self) -> String {
        self.string("abcdefghijkmnopqrstuvwxyz23456789", 8)
    }

    /// A group name like SPEC-PR's `randomGroupName`.
    pub fn group_name(&mut self) -> String {
        format!("Runscope{}", self.digits(3))
    }
}

/// The variables Okta's initial scripts set (`Initial_Script_Spec.txt` and
/// `Initial_Script_CRUD.txt`), made by this generator instead of by running the script.
pub fn initial_script_variables(person: &Person) -> Vec<(&'static str, String)> {
    let update = format!("{}update", person.given_name);
    vec![
        ("randomGivenName", person.given_name.clone()),
        ("randomFamilyName", person.family_name.clone()),
        ("randomEmail", person.email.clone()),
        ("randomUsername", person.user_name().to_string()),
        ("randomUsernameCaps", person.user_name_caps()),
        ("InvalidUserEmail", INVALID_USER_EMAIL.to_string()),
        (
            "UserIdThatDoesNotExist",
            USER_ID_THAT_DOES_NOT_EXIST.to_string(),
        ),
        ("okta_user_firstname", person.given_name.clone()),
        ("okta_user_lastname", person.family_name.clone()),
        ("okta_user_fullname", person.display_name()),
        ("okta_user_firstname_update", update.clone()),
        (
            "okta_user_fullname_update",
            format!("{update} {}", person.family_name),
        ),
        ("okta_user_email", person.email.clone()),
        ("okta_user_title", "Engineer".to_string()),
        ("okta_user_primaryphone", "415.123.4567".to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_look_like_the_initial_scripts_variables() {
        let mut names = NameSource::new(7);
        let person = names.person();
        let given_digits = person.given_name.strip_prefix("Runscope").expect("prefix");
        assert_eq!(given_digits.len(), 3);
        assert!(given_digits.chars().all(|c| c.is_ascii_digit()));
        let family: Vec<char> = person.family_name.chars().collect();
        assert_eq!(family.len(), 12);
        assert!(family[0].is_ascii_uppercase());
        assert!(family[1..9].iter().all(char::is_ascii_lowercase));
        assert!(family[9..].iter().all(char::is_ascii_digit));
        assert_eq!(
            person.email,
            format!("{}{}@atko.com", person.given_name, person.family_name)
        );
        assert_eq!(person.user_name_caps(), person.email.to_uppercase());
        assert_ne!(person.user_name_caps(), person.user_name());
    }

    #[test]
    fn the_same_seed_gives_the_same_names() {
        assert_eq!(NameSource::new(42).person(), NameSource::new(42).person());
        assert_ne!(NameSource::new(42).person(), NameSource::new(43).person());
    }

    #[test]
    fn the_initial_script_variables_match_the_scripts_shapes() {
        let person = NameSource::new(9).person();
        let vars = initial_script_variables(&person);
        let get = |name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
                .expect(name)
        };
        assert_eq!(get("randomUsername"), get("randomEmail"));
        assert_eq!(get("randomUsernameCaps"), get("randomEmail").to_uppercase());
        assert_eq!(
            get("okta_user_firstname_update"),
            format!("{}update", person.given_name)
        );
        assert_eq!(get("UserIdThatDoesNotExist").len(), 30);
    }

    #[test]
    fn okta_ids_have_the_00u_shape() {
        let id = NameSource::new(1).okta_user_id();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("00u"));
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
