//! What English customers say against what help articles call it: a
//! situation ("it says delivered but nothing's at the door", "I was charged
//! twice", "I want my money back") points at the words of the article that
//! handles it (lost, stolen; duplicate, refund). Lexical retrieval cannot
//! bridge such paraphrases, which share no word with the article.
//!
//! Written from general customer-service knowledge, for any business
//! (shops, carriers, schools, subscriptions, bookings), **before** looking
//! at any evaluation question it is measured on (docs/BENCHMARKS.md,
//! "English paraphrases"). Unlike [`crate::synonyms`] (words that mean the
//! same thing, both ways), a cue is one way: the situation suggests the
//! topic, the topic does not suggest the situation.
//!
//! A cue's topics count little ([`crate::knowledge::Weights::related`]),
//! once per document by the best one, never toward what the question could
//! score at most, and only where the knowledge base has them: so they can
//! tip the balance between documents the question already reaches, or
//! bring up the one article about the situation, but a generic document
//! does not win on them.

/// One situation and the topic words of the articles that handle it.
pub struct Cue {
    /// The situation: space-separated slots, each one word or several
    /// alternatives separated by `|` (a multi-word alternative joins its
    /// words with `+`). Every slot must be met, in any order, within
    /// [`WINDOW`] words of each other. Words are compared stemmed, after
    /// contractions are spelled out (didn't → did not).
    pub when: &'static str,
    /// Words of the articles about it (English, stemmed when used): the
    /// topic's own words, not the nouns every article of a business uses
    /// (order, booking, account), which would lift whichever mentions them.
    pub topics: &'static str,
}

/// Most words from the first to the last slot of a cue.
pub const WINDOW: usize = 7;

const fn cue(when: &'static str, topics: &'static str) -> Cue {
    Cue { when, topics }
}

/// Negations and "not yet" words, shared by many cues.
macro_rules! not {
    () => {
        "not|never|no|nothing|nowhere|still|yet|without|missing"
    };
}

/// The cues. General customer service, grouped by area.
pub const CUES: &[Cue] = &[
    // --- Deliveries -------------------------------------------------------
    cue(
        concat!(
            not!(),
            " arrive|come|show|turn+up|receive|deliver|here|reach|land"
        ),
        "missing lost delay delayed late undelivered tracking track",
    ),
    cue(
        "where|whereabouts|status|happened order|parcel|package|delivery|shipment|stuff|item|box",
        "tracking track status",
    ),
    cue(
        concat!(
            "say|show|mark|status|claim|app|email deliver|delivered ",
            not!(),
            "|empty|find|see|door|porch|mailbox|letterbox|neighbour|neighbor"
        ),
        "lost stolen missing theft porch neighbour neighbor investigation claim",
    ),
    cue(
        "stolen|steal|thief|theft|porch+pirate|someone+took|nicked|swiped|pinched",
        "stolen theft lost missing police report block",
    ),
    cue(
        "wrong|old|previous|typo|mistake|incorrect|moved|move|moving|new address|house|flat|apartment|home|street|postcode|zip",
        "address change redirect",
    ),
    cue(
        "wrong|different|incorrect|mixed+up|mix+up|not+what|someone+else item|product|thing|size|colour|color|model|order|one|parcel|package",
        "wrong incorrect mistake exchange return replacement",
    ),
    cue(
        concat!(
            not!(),
            "|only|half|part|empty|one|short|forgot|left+out item|items|piece|part|box|order|everything|rest|all|inside|contents|parcel"
        ),
        "missing partial incomplete split separately shipment",
    ),
    cue(
        "arrive|arrived|came|deliver|delivered|open|opened|unbox|box|package|parcel|got broken|smashed|shattered|cracked|crushed|dented|damaged|leak|leaking|torn|ripped|scratched|bent|dead",
        "damaged damage broken transit defective replacement doa photo",
    ),
    cue(
        "not|never|stopped|stop|quit|died|dead|doesnt|wont|fails|failed|keeps work|working|turn+on|switch+on|power|start|charge|charging|function",
        "defective fault faulty warranty repair troubleshoot malfunction",
    ),
    cue(
        "how+long|when|how+soon|how+fast|how+many+days|eta|expect|quickly|soon|fast arrive|deliver|delivery|ship|shipping|get|come|take|dispatch|send",
        "delivery shipping dispatch time days estimated",
    ),
    cue(
        "how+much|cost|costs|price|pay|charge|free|fee expensive|ship|shipping|deliver|delivery|postage|send|courier",
        "shipping delivery fee cost postage rate free",
    ),
    cue(
        "ship|deliver|send|post|order abroad|overseas|country|countries|international|worldwide|outside|uk|us|usa|canada|australia|europe|eu|germany|france|japan|singapore",
        "international overseas countries customs duties abroad",
    ),
    cue(
        "customs|duty|duties|import|tax|vat held|fee|charge|pay|tariff|clearance|stuck",
        "customs duties import tax international",
    ),
    cue(
        "not+home|wasnt+home|nobody+home|no+one+home|missed|away|out|card|note|notice delivery|courier|driver|parcel|package|door|attempt|tech|technician|engineer|installer|arrive|come|visit|rider",
        "missed delivery redelivery reschedule collect depot attempt",
    ),
    cue(
        "pick+up|collect|collection|click+and+collect|in+store|from+the+store|from+a+shop|myself|in+person",
        "pickup collection collect store locker",
    ),
    cue(
        "faster|express|quicker|urgent|asap|rush|tomorrow|next+day|same+day|hurry|need+it+by",
        "express expedited priority next-day same-day fast",
    ),
    // --- Returns, refunds, exchanges -------------------------------------
    cue(
        "money+back|my+money|pay+me+back|get+paid+back|reimburse|reimbursed|compensate|compensation|refunded|refund",
        "refund reimburse compensation credit",
    ),
    cue(
        "money|cash|paid|payment back|returned|refund|refunded|owed|owe",
        "refund reimburse credit",
    ),
    cue(
        "when|how+long|how+soon|still|yet|not|never|days|waiting|wait refund|money|back|reimburse|credit|credited|account|card",
        "refund processing business days timeline credited",
    ),
    cue(
        "send+back|send+it+back|ship+back|take+back|give+back|return|bring+back|dont+want|not+want|dont+like|didnt+like|not+like|doesnt+fit|didnt+fit|too+small|too+big|too+tight|too+loose|changed+my+mind|change+my+mind|not+as+described|disappointed",
        "return returns refund exchange",
    ),
    cue(
        "who|how+much|cost|pay|free|label|postage|ship|shipping return|returning|send+back|back",
        "return shipping label postage prepaid free",
    ),
    cue(
        "swap|switch|trade|instead|another|different|other|bigger|smaller|larger exchange|size|colour|color|model|version|one",
        "exchange swap replacement size",
    ),
    cue(
        "how+long|how+many+days|deadline|too+late|late|still|window|period|after|within return|returns|send+back|refund|exchange",
        "return period days policy window deadline",
    ),
    // --- Orders ---------------------------------------------------------
    cue(
        "cancel|cancelling|canceling|stop|undo|withdraw|dont+want|changed+my+mind|by+mistake|by+accident|accidentally|mistakenly|ordered+twice|double+ordered order|purchase|bought|booking|it",
        "cancel cancellation",
    ),
    cue(
        "change|edit|modify|add|remove|update|fix|wrong|forgot+to+add|another|switch|swap|amend|alter order|item|quantity|size|colour|color|address|details|something|booking|reservation|appointment",
        "modify change edit amend",
    ),
    cue(
        "out+of+stock|sold+out|unavailable|not+available|back+in+stock|restock|in+stock|come+back|available+again|preorder|pre-order|waitlist",
        "stock restock availability notify preorder",
    ),
    cue(
        "gift|present|birthday|christmas|wrap|wrapping|for+my|someone+else|send+to+a+friend",
        "gift wrap wrapping message card",
    ),
    cue(
        "confirmation|confirm|receipt|email|mail not|never|no|didnt|yet|receive|get|arrive|spam|order",
        "confirmation email receipt spam",
    ),
    cue(
        "bulk|wholesale|lots|large+order|many|hundred|company|business|office|corporate|team",
        "bulk wholesale business corporate volume",
    ),
    // --- Payment and billing ---------------------------------------------
    cue(
        "charged|billed|paid|payment|charge|taken|deducted|debited twice|two|double|duplicate|again|second|multiple|two+times|extra",
        "duplicate double charge refund billing",
    ),
    cue(
        "overcharged|too+much|more+than|higher|extra|unexpected|unknown|strange|weird|hidden|dont+recognise|dont+recognize|what+is+this|why charge|charged|bill|billed|fee|amount|payment|statement|invoice",
        "bill billing charge charges fee breakdown statement dispute overcharge",
    ),
    cue(
        "declined|decline|rejected|failed|fail|error|wont+go+through|didnt+go+through|not+go+through|doesnt+work|not+working|not+accept|wont+accept|refused card|payment|pay|paying|checkout|transaction|visa|mastercard|paypal",
        "payment declined failed card method",
    ),
    cue(
        "pay|paying|payment|accept|use|checkout visa|mastercard|amex|paypal|apple+pay|google+pay|card|cash|bank|transfer|crypto|wechat|alipay|method|methods|ways",
        "payment methods card accepted",
    ),
    cue(
        "pay+later|spread|split|monthly|installments|instalments|afford|finance|financing|credit|klarna|afterpay|over+time|in+parts|per+month",
        "installment instalment financing pay monthly plan",
    ),
    cue(
        "cheaper|price+drop|dropped|lower+price|went+on+sale|on+sale|price+match|price+difference|reduced|discounted+after",
        "price adjustment difference match protection",
    ),
    cue(
        "discount|promo|coupon|voucher|code|promotion|deal|offer|sale not|doesnt|didnt|wont|invalid|expired|work|working|apply|applied|accept",
        "coupon promo discount voucher code",
    ),
    cue(
        "invoice|receipt|tax|vat|proof+of+purchase|expense|expenses|company+name|business+name|fapiao|reimbursement",
        "invoice receipt tax vat",
    ),
    cue(
        "top+up|topup|recharge|add+credit|add+money|add+funds|balance|prepaid|credit+left|load+money",
        "top-up recharge balance credit prepaid",
    ),
    cue(
        "late|missed|behind|overdue|forgot|cant|cannot|unable pay|payment|bill|installment|instalment",
        "overdue late payment fee suspend reminder",
    ),
    // --- Accounts and sign-in --------------------------------------------
    cue(
        "forgot|forget|forgotten|cant+remember|dont+remember|lost|reset|change|new password|pin|passcode|login|log+in|sign+in",
        "password reset forgot",
    ),
    cue(
        "cant|cannot|unable|wont+let|not+letting|doesnt+let|locked|blocked|frozen|access|stuck login|log+in|sign+in|logon|account|in|app|website",
        "login sign-in password locked access",
    ),
    cue(
        "hacked|hack|someone+else|not+me|unauthorized|unauthorised|suspicious|strange+activity|weird+activity|fraud|scam|phishing|compromised|stranger",
        "security unauthorized hacked fraud compromised suspicious",
    ),
    cue(
        "delete|remove|close|erase|terminate|deactivate|get+rid+of|wipe|shut+down account|profile|data|information|info|details|me",
        "delete deletion close erase",
    ),
    cue(
        "change|update|edit|new|wrong|correct my|name|email|phone|number|details|profile|birthday|surname",
        "profile details settings update",
    ),
    cue(
        "code|otp|text|sms|verification|verify|one+time|2fa|two+factor|authenticator not|never|didnt|no|dont|doesnt|receive|get|arrive|work|lost|new+phone",
        "verification code sms two-factor authenticator",
    ),
    cue(
        "unsubscribe|spam|too+many+emails|stop+emailing|stop+sending|stop+texting|marketing|newsletter|promotional|opt+out|junk",
        "unsubscribe newsletter marketing notification preferences",
    ),
    cue(
        "privacy|personal|data|information|info|details sell|share|use|do+with|store|keep|who+sees|third+party|safe|track|tracking|cookies|gdpr",
        "privacy data personal gdpr",
    ),
    // --- Subscriptions, plans, memberships ------------------------------
    cue(
        "cancel|stop|end|quit|leave|terminate|get+out+of|out+of|turn+off|switch+off subscription|membership|plan|contract|renewal|paying|service|account|auto-renew|autorenew|auto+renew",
        "cancel cancellation subscription membership terminate contract",
    ),
    cue(
        "renewed|renew|renewal|auto|automatically|keep+charging|keeps+charging|still+charging|still+charged|charged+again|every+month|recurring",
        "renewal auto-renew subscription billing cancel recurring",
    ),
    cue(
        "upgrade|downgrade|switch|change|move|bigger|smaller|cheaper|more|less plan|package|tier|membership|subscription|level",
        "plan upgrade downgrade change tier",
    ),
    cue(
        "pause|freeze|hold|break|suspend|holiday|vacation|away|temporarily|skip",
        "pause suspend freeze hold",
    ),
    cue("trial|try+it|test+it|free+period|first+month", "trial free"),
    cue(
        "points|rewards|loyalty|member|perks|benefits|cashback|earn|redeem|vip",
        "points rewards loyalty membership benefits",
    ),
    // --- Support and contact ---------------------------------------------
    cue(
        "talk|speak|call|phone|ring|reach|contact|email|chat|get+hold someone|you|person|support|team|number|help|company",
        "contact support phone email hours",
    ),
    cue(
        "open|opening|hours|close|closing|when|weekend|weekends|sunday|saturday|holiday|holidays|24/7|night available|open|working|support|shop|store|office|you",
        "hours opening open times",
    ),
    cue(
        "complain|complaint|unhappy|not+happy|terrible|awful|rude|disappointed|furious|angry|escalate|unacceptable|worst|ridiculous",
        "complaint feedback escalate",
    ),
    cue(
        "where|near|nearest|nearby|visit|address|location|located|walk+in|drop+in|go+to store|shop|branch|office|centre|center|location|you",
        "store location branch address centre center",
    ),
    // --- Warranty and repair --------------------------------------------
    cue(
        "how+long|covered|cover|covers|guarantee|guaranteed|years|months|expire|expired|still warranty|guarantee|covered|broke|broken|fault|defect",
        "warranty guarantee coverage",
    ),
    cue(
        "fix|repair|repaired|mend|service|fixing broke|broken|damaged|cracked|dropped|water|smashed|not+working|fault|screen",
        "repair service warranty fix",
    ),
    cue(
        "dropped|drop|fell|spilled|spill|water|wet|liquid|sat+on|stepped+on|my+fault|accident|accidental",
        "accidental damage repair warranty",
    ),
    cue(
        "out+of+warranty|warranty+expired|expired+warranty|warranty+is+over|after+warranty|no+longer+covered|not+covered",
        "out-of-warranty repair fee paid cost",
    ),
    cue(
        "someone+out|come+out|send+someone|technician|engineer|repairman|repair+man|callout|call+out|home+visit|come+and+fix|come+to+fix",
        "technician visit engineer appointment repair",
    ),
    cue(
        "insurance|insure|insured|insurer|insuring",
        "insurance coverage protection cover",
    ),
    cue(
        "someone+hit|hit+me|hit+my|crashed+into|crash+into|rear-ended|rear+ended|collision|bumped+into|car+accident|accident|scraped",
        "accident collision police insurance damage",
    ),
    cue(
        "contest|dispute|disagree|challenge|appeal|unfair|not+my+fault|was+not+me|not+me|did+not+do|did+not+make|wrongly|incorrectly|wrongful",
        "dispute appeal contest review evidence",
    ),
    cue(
        "speeding|parking+ticket|traffic+ticket|ticket|fine|fined|penalty|violation|speed+camera",
        "fine fines penalty violation traffic",
    ),
    // --- People ---------------------------------------------------------
    cue(
        "years+old|year+old|yrs+old|age|aged|how+old|teen|teenager|minor|under+18|under+21|under+25|young|older|senior|elderly",
        "age young minimum senior",
    ),
    cue(
        "kid|kids|child|children|baby|toddler|infant|son|daughter|year+old",
        "child children kid infant baby family",
    ),
    // --- Wallets, memberships, shops ------------------------------------
    cue(
        "cash+out|withdraw|take+out|transfer+out|move+money|money+out",
        "withdraw withdrawal balance transfer",
    ),
    cue(
        "worth|worth+it|benefit|benefits|perks|advantages|what+do+i+get|included|include",
        "benefits perks membership included",
    ),
    cue(
        "minimum|min|at+least|smallest order|basket|spend|purchase|amount|cart",
        "minimum order threshold",
    ),
    cue(
        "deliver|delivery|ship|service|serve|cover|available|operate area|areas|city|town|region|zone|postcode|zip|suburb|district|country",
        "areas coverage service region zones",
    ),
    cue(
        "swapped|substitute|substituted|substitution|replaced|instead|different+brand|alternative",
        "substitution substitute replacement alternative",
    ),
    // --- Phones, internet, signal ----------------------------------------
    cue(
        "no|not|bad|poor|weak|lost|slow|drop|dropping|keeps|wont|cant signal|bars|service|reception|coverage|calls|internet|data|connection|connect|wifi|network|4g|5g",
        "signal coverage network outage connection troubleshoot",
    ),
    cue(
        "abroad|overseas|travel|travelling|traveling|trip|holiday|vacation|another+country|foreign|europe|asia|usa|visiting",
        "roaming international abroad travel",
    ),
    cue(
        "keep|transfer|bring|move|take|port my+number|number|old+number|existing+number",
        "port porting transfer number",
    ),
    cue(
        "lost|stolen|missing|nicked|dropped|left phone|mobile|sim|device|card",
        "lost stolen block suspend replacement sim",
    ),
    cue(
        "ran+out|run+out|used+up|used+all|extra|more|over|exceed|exceeded|limit|cap|throttled|slowed data|gb|allowance|usage",
        "data allowance add-on usage limit",
    ),
    cue(
        "esim|e-sim|digital+sim|qr|new+phone|switch+phone|change+phone|transfer sim|esim|phone",
        "esim sim activation transfer",
    ),
    // --- Bookings, classes, appointments ---------------------------------
    cue(
        "reschedule|move|change|postpone|different|another|later|earlier|push|push+back|bring+forward appointment|booking|class|lesson|session|date|time|day|slot|reservation|delivery|visit|repair|pickup|pick-up|install|installation|technician",
        "reschedule rebook change date",
    ),
    cue(
        "cant+make+it|cant+attend|cannot+attend|wont+make+it|miss|missed|skip|skipped|didnt+show|no+show|no-show|absent|sick|ill|late+for",
        "missed no-show absence cancel reschedule",
    ),
    cue(
        "book|reserve|sign+up|enrol|enroll|register|join|apply|schedule class|course|lesson|session|appointment|slot|seat|place|trial",
        "booking registration enrol enroll sign-up",
    ),
    cue(
        "certificate|proof+of+completion|diploma|transcript|credential|qualification|cert",
        "certificate completion",
    ),
    cue(
        "teacher|tutor|instructor|coach|trainer change|switch|another|different|new|bad|didnt+like|dont+like|unhappy",
        "teacher tutor change instructor",
    ),
    // --- Devices, apps, set-up -------------------------------------------
    cue(
        "crash|crashes|crashing|freezes|freezing|frozen|wont+open|doesnt+open|wont+load|doesnt+load|blank|white+screen|black+screen|error|bug|glitch|stuck|laggy|lag",
        "crash error troubleshoot reinstall update",
    ),
    cue(
        "update|updating|new+version|latest+version|upgrade software|firmware|app|version|system",
        "update firmware version",
    ),
    cue(
        "battery|charge|charging|power dies|drains|draining|dead|flat|doesnt+hold|wont+hold|wont+charge|not+charging|fast|quickly|low",
        "battery charging charge",
    ),
    cue(
        "loud|noise|noisy|rattle|rattling|beeping|beep|squeak|squeaking|buzzing|grinding|clicking",
        "noise sound fault",
    ),
    cue(
        "set+up|setup|get+started|getting+started|first+time|install|installing|connect+it|pair+it|how+to+use|instructions|manual",
        "setup installation install getting-started pair",
    ),
    cue(
        "connect|pair|link|add|sync bluetooth|wifi|wi-fi|phone|app|device|router|network",
        "pairing pair connect bluetooth wifi",
    ),
    cue(
        "size|sizing|fit|fits|measure|measurements|too+small|too+big|which+size|what+size",
        "size chart sizing measurements",
    ),
];

/// Spells out contractions (with or without the apostrophe) so that a
/// negation reaches the cues: didn't / didnt → did not.
pub fn spell_out(lower: &str) -> String {
    let text = lower.replace(['\u{2019}', '\u{2018}', '`'], "'");
    let mut out = String::with_capacity(text.len() + 16);
    for word in text.split_inclusive(|c: char| !(c.is_ascii_alphanumeric() || c == '\'')) {
        let (w, tail) = match word.char_indices().last() {
            Some((i, c)) if !(c.is_ascii_alphanumeric() || c == '\'') => word.split_at(i),
            _ => (word, ""),
        };
        let bare = w.trim_matches('\'');
        let spelled = match bare {
            "won't" | "wont" => Some("will not".to_owned()),
            "can't" | "cant" | "cannot" => Some("can not".to_owned()),
            "shan't" => Some("shall not".to_owned()),
            "ain't" => Some("is not".to_owned()),
            _ => {
                let stem = bare
                    .strip_suffix("n't")
                    .or_else(|| bare.strip_suffix("nt").filter(|s| NT.contains(s)));
                stem.map(|s| format!("{s} not"))
            }
        };
        out.push_str(spelled.as_deref().unwrap_or(w));
        out.push_str(tail);
    }
    out
}

/// Auxiliaries written with "nt" and no apostrophe (didnt, doesnt).
const NT: &[&str] = &[
    "do", "does", "did", "is", "was", "are", "were", "have", "has", "had", "could", "would",
    "should", "must", "need",
];

/// The question's words as the cues compare them: contractions spelled
/// out, lowercased, stemmed (stop words kept: "not" and "where" matter).
fn words(lower: &str) -> Vec<String> {
    spell_out(lower)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '/'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
        .map(crate::text::root)
        .collect()
}

/// One slot of a cue: its alternatives, each a run of stemmed words.
fn slot(alternatives: &str) -> Vec<Vec<String>> {
    alternatives
        .split('|')
        .map(|a| a.split('+').flat_map(words).collect())
        .collect()
}

/// The positions (start, end exclusive) where any alternative of `slot`
/// occurs in `words`.
fn occurrences(slot: &[Vec<String>], words: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for alt in slot {
        if alt.is_empty() || alt.len() > words.len() {
            continue;
        }
        for start in 0..=words.len() - alt.len() {
            if words[start..start + alt.len()] == alt[..] {
                out.push((start, start + alt.len()));
            }
        }
    }
    out
}

/// Whether every slot meets the question within [`WINDOW`] words.
fn matches(slots: &[Vec<(usize, usize)>]) -> bool {
    fn search(
        slots: &[Vec<(usize, usize)>],
        lo: usize,
        hi: usize,
        used: &[(usize, usize)],
    ) -> bool {
        let Some((first, rest)) = slots.split_first() else {
            return true;
        };
        first.iter().any(|&(s, e)| {
            let (lo2, hi2) = if used.is_empty() {
                (s, e)
            } else {
                (lo.min(s), hi.max(e))
            };
            hi2 - lo2 <= WINDOW && !used.iter().any(|&(us, ue)| s < ue && us < e) && {
                let mut next = used.to_vec();
                next.push((s, e));
                search(rest, lo2, hi2, &next)
            }
        })
    }
    !slots.is_empty() && slots.iter().all(|s| !s.is_empty()) && search(slots, 0, 0, &[])
}

/// A cue read once: its slots (alternatives, each a run of stemmed words)
/// and its topic tokens.
struct Parsed {
    slots: Vec<Vec<Vec<String>>>,
    topics: Vec<String>,
}

fn parsed() -> &'static [Parsed] {
    static PARSED: std::sync::OnceLock<Vec<Parsed>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        CUES.iter()
            .map(|c| Parsed {
                slots: c.when.split_whitespace().map(slot).collect(),
                topics: crate::text::tokens_plain(c.topics),
            })
            .filter(|p| !p.topics.is_empty())
            .collect()
    })
}

/// The topic words (stemmed index tokens) of every cue the question meets,
/// one list per cue.
pub fn topics(question: &str) -> Vec<Vec<String>> {
    let words = words(&question.to_lowercase());
    if words.is_empty() {
        return Vec::new();
    }
    parsed()
        .iter()
        .filter(|c| {
            let slots: Vec<Vec<(usize, usize)>> =
                c.slots.iter().map(|s| occurrences(s, &words)).collect();
            matches(&slots)
        })
        .map(|c| c.topics.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn met(question: &str, topic: &str) -> bool {
        let t = crate::text::root(topic);
        topics(question).iter().any(|g| g.contains(&t))
    }

    #[test]
    fn contractions_are_spelled_out() {
        assert_eq!(spell_out("it didn't come"), "it did not come");
        assert_eq!(spell_out("it didnt come, ok"), "it did not come, ok");
        assert_eq!(
            spell_out("i can't and won\u{2019}t"),
            "i can not and will not"
        );
        // Words that only end like one stay.
        assert_eq!(spell_out("the front desk"), "the front desk");
    }

    #[test]
    fn situations_reach_the_topic_words() {
        assert!(met("my parcel never showed up", "missing"));
        assert!(met("it didn't arrive", "lost"));
        assert!(met(
            "the app says delivered but there's nothing at my door",
            "stolen"
        ));
        assert!(met("I was charged twice for one order", "duplicate"));
        assert!(met("can I get my money back", "refund"));
        assert!(met("how do I stop my membership", "cancel"));
        assert!(met("someone hacked my account", "security"));
    }

    #[test]
    fn slots_must_meet_close_together() {
        // "not" and "arrive" twelve words apart are not one situation.
        assert!(!met(
            "not sure which form to fill in first, and when the new model will arrive",
            "undelivered"
        ));
        assert!(met("the new model did not arrive", "undelivered"));
        // Every slot is needed.
        assert!(!met("charged", "duplicate"));
        // Unrelated chat touches nothing.
        assert!(topics("what a lovely day it is").is_empty());
    }
}
