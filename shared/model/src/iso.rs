//! ISO code lists: countries (ISO 3166-1 alpha-2) and currencies (ISO 4217), checked against the
//! real lists so a typo such as "UK" (the code is GB) or "EUE" is caught where it is typed.

/// ISO 3166-1 alpha-2, all 249 assigned codes (as in the tz database's `iso3166.tab`), sorted.
const COUNTRIES: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// ISO 4217 codes of circulating currencies, sorted. Fund codes, precious metals and test codes
/// (XAU, XDR, XTS, BOV...) are left out: nobody prices a home in them.
const CURRENCIES: [&str; 160] = [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF",
    "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
    "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB",
    "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD",
    "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD",
    "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER",
    "ZAR", "ZMW", "ZWG", "ZWL",
];

/// Whether `code` (exactly as given: two upper-case letters) is an assigned ISO 3166-1 alpha-2 code.
pub fn is_country_code(code: &str) -> bool {
    COUNTRIES.binary_search(&code).is_ok()
}

/// Whether `code` (exactly as given: three upper-case letters) is a circulating ISO 4217 currency.
pub fn is_currency_code(code: &str) -> bool {
    CURRENCIES.binary_search(&code).is_ok()
}

/// Normalises a typed country code (trimmed, upper-cased) and checks it is a real one.
pub fn check_country_code(code: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err("Enter the country as a two-letter code, such as US or GB.".to_owned());
    }
    if code == "UK" {
        return Err("The code for the United Kingdom is GB.".to_owned());
    }
    if is_country_code(&code) {
        Ok(code)
    } else {
        Err(format!(
            "{code:?} is not a two-letter ISO 3166 country code, such as US or GB."
        ))
    }
}

/// Normalises a typed currency code (trimmed, upper-cased) and checks it is a real one.
pub fn check_currency_code(code: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err("Enter the currency as a three-letter code, such as USD or EUR.".to_owned());
    }
    if is_currency_code(&code) {
        Ok(code)
    } else {
        Err(format!(
            "{code:?} is not a three-letter ISO 4217 currency code, such as USD or EUR."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_well_formed() {
        assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]));
        assert!(CURRENCIES.windows(2).all(|w| w[0] < w[1]));
        assert!(COUNTRIES
            .iter()
            .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
        assert!(CURRENCIES
            .iter()
            .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn countries() {
        assert_eq!(check_country_code(" us ").as_deref(), Ok("US"));
        assert_eq!(check_country_code("gb").as_deref(), Ok("GB"));
        assert!(is_country_code("ZW") && is_country_code("AD"));
        assert_eq!(
            check_country_code("uk").expect_err("UK is not a code"),
            "The code for the United Kingdom is GB."
        );
        for bad in ["", "XX", "USA", "U", "1A"] {
            assert!(check_country_code(bad).is_err(), "{bad} accepted");
        }
        assert!(!is_country_code("us"), "lists are upper-case only");
    }

    #[test]
    fn currencies() {
        assert_eq!(check_currency_code(" usd").as_deref(), Ok("USD"));
        assert_eq!(check_currency_code("Eur").as_deref(), Ok("EUR"));
        assert!(is_currency_code("GBP") && is_currency_code("JPY") && is_currency_code("CHF"));
        for bad in ["", "US", "EURO", "XAU", "XTS", "ABC"] {
            assert!(check_currency_code(bad).is_err(), "{bad} accepted");
        }
    }
}
