//! The English half of the grammar: word lists (objects, talk verbs,
//! fillers, negations, compounds, typos) and the clause reader.
//! Over ~500 lines because of the lists: one entry per line keeps each
//! word reviewable and its reason (a comment) beside it.

use super::*;

/// Objects any request verb may take.
pub(super) const EN_STRICT_OBJECTS: &[&str] = &[
    "human",
    "humans",
    "agent",
    "agents",
    "representative",
    "rep",
    "operator",
    "manager",
    "supervisor",
    "advisor",
    "adviser",
    "specialist",
    "boss",
    "superior",
    // Other businesses' people: "I'd like the front desk", "talk to a
    // consultant".
    "frontdesk",
    "reception",
    "receptionist",
    "concierge",
    "consultant",
];

/// Objects only a communication verb takes ("talk to someone", not "I need
/// someone to install it"): these and [`EN_WANT_SOFT`] (see [`is_soft`]).
pub(super) const EN_SOFT_OBJECTS: &[&str] = &[
    "support",
    "service",
    "team",
    "customer",
    "cs",
    "you",
    "colleagues",
    // "I demand to speak to management", "escalate to management".
    "management",
    // "put me in touch with the returns department".
    "department",
    // A desk or counter of the service, with a talk verb: "speak to the
    // rental desk".
    "desk",
    "counter",
    // "speak to a loan officer", "the store owner".
    "officer",
    "owner",
    // Field staff, only with a talk verb: "connect me with the installer".
    "installer",
    "technician",
    "engineer",
    "dept",
    // "speak to whoever handles complaints".
    "whoever",
];

/// A soft object: a person or group only a communication verb takes.
pub(super) fn is_soft(word: &str) -> bool {
    EN_SOFT_OBJECTS.contains(&word) || EN_WANT_SOFT.contains(&word)
}

/// Communication verbs: any person object.
pub(super) const EN_TALK: &[&str] = &[
    "talk",
    "speak",
    "chat",
    "connect",
    "transfer",
    "escalate",
    "reach",
    "contact",
    "put",
    "patch",
    "forward",
    "route",
    "hand",
    "pass",
    "complaint",
    "complain",
    "switch",
    // "put me in touch with a person".
    "touch",
    // "hook me up with someone", "loop in a human".
    "hook",
    "loop",
    // "I need to discuss this with a person".
    "discuss",
    // "page a manager", "assign an agent to my case".
    "page",
    "assign",
    // "swap me to a person".
    "swap",
];

/// Soft objects a want-verb may take ("I need a person to look at it").
pub(super) const EN_WANT_SOFT: &[&str] = &[
    "person",
    "people",
    "someone",
    "somebody",
    "staff",
    "employee",
    "colleague",
    "coworker",
];

/// Adjectives that make any person object a request ("a real person").
pub(super) const EN_REAL: &[&str] = &["real", "live", "actual", "human", "living", "proper"];

/// Verbs that take only a strict object ("I want a human").
pub(super) const EN_WANT: &[&str] = &[
    "want", "need", "get", "give", "request", "have", "bring", "prefer", "find", "call", "fetch",
    "send", "ask", "require", "demand", "like",
    // "any chance of a human?", "looking for a real person", "I could use
    // an agent's help".
    "chance", "look", "search", "seek", "use", // "I'll wait for a human".
    "wait",
];

/// What may stand between a verb and its object.
pub(super) const EN_FILLERS: &[&str] = &[
    "to",
    // Text-speak: "talk 2 a human".
    "2",
    // "talk w/ someone".
    "w",
    "with",
    "me",
    "us",
    "through",
    "a",
    "an",
    "the",
    "your",
    "some",
    "one",
    "of",
    "another",
    "real",
    "live",
    "actual",
    "human",
    "living",
    "senior",
    "customer",
    "support",
    "service",
    "sales",
    "care",
    "in",
    "on",
    "over",
    "directly",
    "now",
    "please",
    "pls",
    "just",
    "talk",
    "speak",
    "chat",
    "actually",
    "proper",
    "person",
    "any",
    "someone",
    "be",
    "up",
    "back",
    "right",
    "away",
    "my",
    "you",
    "guys",
    "whoever",
    "tech",
    "technical",
    "helpdesk",
    "help",
    "desk",
    "account",
    "store",
    "shop",
    "duty",
    "team",
    "member",
    "staff",
    "from",
    "for",
    "word",
    "assistance",
];

/// Words after an object that make it a compound ("human resources",
/// "agent orange"), or a job title in a sentence about something else.
pub(super) const EN_COMPOUND_NEXT: &[&str] = &[
    "resources",
    "resource",
    "error",
    "errors",
    "rights",
    "body",
    "nature",
    "readable",
    "trafficking",
    "hair",
    "capital",
    "race",
    "interface",
    "string",
    "header",
    "orange",
    "fee",
    "fees",
    "commission",
    "license",
    "licence",
    "code",
    "portal",
    "program",
    "programme",
    "mode",
    "app",
    "centre",
    "center",
    "centres",
    "centers",
    "point",
    "location",
    "locations",
    // Places and jobs named after the person: a representative office,
    // agent training, a supervisor role.
    "office",
    "offices",
    "branch",
    "job",
    "jobs",
    "position",
    "positions",
    "role",
    "salary",
    "training",
    "course",
    "level",
    "account",
    "login",
    // "human" describing a thing: a human voice, human detection.
    "voice",
    "voices",
    "face",
    "faces",
    "detection",
    "presence",
    "shape",
    "figure",
    "sensor",
    "eye",
    "eyes",
    // A picture of a person: "a person icon in the app".
    "icon",
    "icons",
    "symbol",
    "logo",
    "emoji",
    "avatar",
    "silhouette",
    // Someone other than staff: "transferable to someone else".
    "else",
    // Software named after the person: "an agent API".
    "api",
    "sdk",
    "software",
    "plugin",
    "integration",
    "feature",
    "features",
    "setting",
    "settings",
    "dashboard",
    // Things of the staff, not the staff: "staff rewards", "staff
    // discount", "staff parking".
    "rewards",
    "reward",
    "discount",
    "discounts",
    "parking",
    "perks",
    "benefits",
    "uniform",
    "uniforms",
    "entrance",
    "canteen",
];

/// Words before an object that make it someone else (travel agent, user
/// agent, estate agent, cleaning agent).
pub(super) const EN_COMPOUND_PREV: &[&str] = &[
    "travel",
    "user",
    "estate",
    "shipping",
    "customs",
    "insurance",
    "secret",
    "double",
    "free",
    "cleaning",
    "chemical",
    "bonding",
    "booking",
    "sports",
    "talent",
    "literary",
    "property",
    "forwarding",
    "delivery",
    "ai",
    "project",
    "product",
    "account",
    "store",
    "my",
    "our",
    "his",
    "her",
    "their",
    "i'm",
    "im",
];

/// Words that make "contact / reach / call support" a question about the
/// channel ("how do I contact support by email", "support phone number").
pub(super) const EN_INFO: &[&str] = &[
    "email", "e-mail", "mail", "number", "hours", "address", "website", "open", "opening",
    "closed", "weekend", "weekends",
];

/// Verbs that only ask how to reach the service when an info word is near.
pub(super) const EN_REACH: &[&str] = &["contact", "reach", "call", "email", "phone"];

/// What a person may be asked to do ("can a real person look at this").
pub(super) const EN_PERSON_ACTS: &[&str] = &[
    "help", "look", "check", "call", "contact", "review", "handle", "assist", "take", "sort",
    "deal", "answer", "explain", "reply", "respond", "get",
    // "could an agent walk me through it", "talk her through it".
    "walk", "talk", "go",
];

/// What a customer asks to pass on to a person.
pub(super) const EN_CARRIED: &[&str] = &[
    "this",
    "it",
    "case",
    "ticket",
    "complaint",
    "issue",
    "problem",
    "query",
    "request",
    "matter",
    "on",
    "over",
    "along",
    "chat",
    "conversation",
];

/// Words that ask when the service is there rather than for it now.
pub(super) const EN_WHEN: &[&str] = &["tomorrow", "tonight", "when", "night"];

/// Times the service is there as a rule ("on weekends", "24/7", "usually"):
/// with these, even "do you have a real human" asks about the service.
pub(super) const EN_WHEN_REGULAR: &[&str] = &[
    "24",
    "24/7",
    "247",
    "hours",
    "weekend",
    "weekends",
    "saturday",
    "saturdays",
    "sunday",
    "sundays",
    "holiday",
    "holidays",
    "usually",
    "normally",
    "christmas",
    "overnight",
    "nights",
];

/// Devices that may be the subject of a talk verb (a doorbell intercom).
pub(super) const EN_DEVICES: &[&str] = &[
    "camera", "cam", "doorbell", "lock", "app", "vacuum", "device", "speaker", "intercom", "bell",
    "robot",
];

/// What may follow "call me" in a request to be called ("call me back",
/// "call me asap", "call me on 555…").
pub(super) const EN_CALL_ME_NEXT: &[&str] = &[
    "back",
    "at",
    "on",
    "asap",
    "now",
    "please",
    "pls",
    "plz",
    "today",
    "tomorrow",
    "tonight",
    "later",
    "when",
    "as",
    "soon",
    "this",
    "in",
    "right",
    "immediately",
    "instead",
    "again",
    "urgently",
    "before",
    "after",
    "if",
    "thanks",
    "and",
    "or",
    "to",
    "about",
    "regarding",
];

/// The group a person belongs to ("someone from your support team",
/// "a person in billing").
pub(super) const EN_PERSON_GROUP: &[&str] = &[
    // "the rental desk", "the complaints team", "a loan officer", "the
    // warehouse team".
    "rental",
    "warehouse",
    "installation",
    "logistics",
    "loan",
    "mortgage",
    "reservations",
    "complaints",
    "claims",
    "your",
    "the",
    "our",
    "support",
    "team",
    "staff",
    "billing",
    "sales",
    "customer",
    "service",
    "care",
    "tech",
    "technical",
    "department",
    "desk",
    "helpdesk",
    "store",
    "shop",
    "warranty",
    "returns",
    "branch",
    "company",
    "office",
    "head",
    "management",
    "accounts",
    // "someone in charge needs to come forward".
    "charge",
];

/// Modal verbs that turn a person doing something into a request.
/// "let a human handle this" is the imperative of the same request.
pub(super) const EN_MODALS: &[&str] = &["can", "could", "would", "will", "may", "might", "let"];

/// Negations that decline what follows.
pub(super) const EN_NEG: &[&str] = &[
    "don't",
    "dont",
    "do not",
    "no need",
    "not necessary",
    "doesn't",
    "won't",
    "never",
    "no longer",
    "without",
    "not",
    "didn't",
    "nor",
];

/// Closing words that decline what came before ("…any more", "never mind").
pub(super) const EN_NEG_AFTER: &[&str] = &[
    "any more",
    "anymore",
    "never mind",
    "nevermind",
    "no longer",
];

/// The bot, and what refuses it.
pub(super) const EN_BOT: &[&str] = &[
    "bot",
    "robot",
    "machine",
    "chatbot",
    "automated",
    "ai",
    "auto-reply",
    // Automated answers named by their form: "stop sending me canned
    // replies", "don't answer me with a template", "quit auto-replying".
    "auto-replies",
    "auto-replying",
    "autoreply",
    "autoreplies",
    // (canned only of answers: "canned tuna" is food.)
    "canned reply",
    "canned replies",
    "canned response",
    "canned answer",
    "canned message",
    "template",
    "templates",
    "scripted",
];
pub(super) const EN_BOT_REFUSAL: &[&str] = &[
    "not",
    "no",
    "stop",
    "hate",
    "useless",
    "don't",
    "dont",
    "done with",
    "enough",
    "sick of",
    "tired of",
    "stupid",
    "dumb",
    "instead of",
    "rather than",
    "not a",
    "no more",
    "quit",
    "sucks",
    "terrible",
    "pointless",
    "not helping",
    "not helpful",
    "doesn't understand",
    "can't understand",
    // Getting away from it: "get me out of this bot".
    "out of",
    "away from",
    "garbage",
    "worthless",
    "rubbish",
    "isn't helping",
    "not working",
    "doesn't get it",
    "done talking",
    "done chatting",
    // Not understanding: "bot isn't getting it", "going in circles".
    "isn't getting",
    "not getting",
    "doesn't get",
    "going in circles",
    "keeps looping",
    "looping",
    "clueless",
    "hopeless",
    "unhelpful",
    "no help",
    "can't help",
    "cannot help",
    "not understanding",
    // Sent away or refused: "bot, step aside", "I refuse to deal with a
    // chatbot", "I won't deal with a machine".
    "step aside",
    "move aside",
    "stand aside",
    "refuse",
    "won't deal",
    "not dealing",
];

/// Words that may surround a bare object ("agent please").
pub(super) const EN_POLITE: &[&str] = &[
    // "any humans?".
    "any",
    // Calls for attention: "yo human?", "oi agent".
    "yo",
    "oi",
    "um",
    "uh",
    "please",
    "pls",
    "plz",
    "now",
    "a",
    "an",
    "the",
    "real",
    "live",
    "actual",
    "human",
    "hi",
    "hello",
    "hey",
    "thanks",
    "asap",
    "just",
    "ok",
    "okay",
    "customer",
    "service",
    "support",
    "talk",
    "to",
    "speak",
    "right",
    "immediately",
    "being",
    "needed",
    "required",
    "assistance",
    "help",
    "only",
    "takeover",
    "intervention",
    // Laughter after the plea: "hooman please lol".
    "lol",
    "lmao",
    "haha",
];

pub(super) fn words(clause: &str) -> Vec<String> {
    // "talk with 你们的 planner": the business's, in Chinese, before an
    // English word is "your" (the English reading drops Chinese).
    let yours;
    let clause = if clause.contains("你们") {
        yours = your_before_latin(clause);
        yours.as_str()
    } else {
        clause
    };
    let mut w: Vec<String> = clause
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(|w| fix_typo(&unstretch(&w.replace('’', "'"))))
        .map(|w| match w.as_str() {
            // Text-speak and possessives: "a real ppl", "wanna talk",
            // "someone's help" (the person, helping).
            "ppl" | "peeps" => "people".to_owned(),
            "wanna" => "want".to_owned(),
            // "gimme a real person".
            "gimme" => "give".to_owned(),
            "thru" => "through".to_owned(),
            // Vowels dropped: "spk to agent", "tlk 2 a human".
            "spk" | "spek" | "speek" | "spaek" => "speak".to_owned(),
            // The channel's words misspelt: "cusotmer service pls".
            "custmer" | "cusomer" | "cutomer" | "costumer" | "customr" | "cstomer" | "cusotmer"
            | "cutsomer" => "customer".to_owned(),
            "servce" | "sevice" | "serivce" | "servie" | "srvice" | "sercive" => {
                "service".to_owned()
            }
            "suport" | "supprt" | "suppport" | "supoprt" | "sup0rt" => "support".to_owned(),
            "tlk" => "talk".to_owned(),
            "ur" => "your".to_owned(),
            "someone's" | "sum1" | "some1" | "smone" => "someone".to_owned(),
            "any1" => "anyone".to_owned(),
            // "hmn agnet", "hooman please": human, without vowels or as a meme.
            "hmn" | "hmns" | "hooman" | "hoomans" | "humam" => "human".to_owned(),
            "somebody's" => "somebody".to_owned(),
            _ => w,
        })
        .collect();
    // "your trust and safety team", "the sales and support department":
    // one group named by two words, read as "trust & safety team" is.
    while let Some(k) = (1..w.len().saturating_sub(2)).find(|&k| {
        w[k] == "and"
            && matches!(
                w[k + 2].as_str(),
                "team" | "department" | "dept" | "desk" | "office" | "division" | "unit"
            )
            && !w[k - 1].ends_with("ed")
            && ![&w[k - 1], &w[k + 1]]
                .iter()
                .any(|x| EN_TALK.contains(&x.as_str()) || EN_WANT.contains(&x.as_str()))
    }) {
        w.remove(k);
    }
    // "a supervisor's help": the person, helping (not "the agent's name").
    for k in 0..w.len().saturating_sub(1) {
        if is_help(&w[k + 1])
            && let Some(person) = w[k].strip_suffix("'s")
            && EN_STRICT_OBJECTS.contains(&person)
        {
            w[k] = person.to_owned();
        }
    }
    // "the gym's manager", "the technician's boss", "the supervisor's
    // supervisor": someone's superior is a person asked for (the owner's
    // name drops out).
    let mut k = 0;
    while k + 1 < w.len() {
        // "the airline's duty officer": a word between is the kind.
        let person_at = |j: usize| {
            w.get(j)
                .is_some_and(|x| EN_STRICT_OBJECTS.contains(&x.as_str()) || is_soft(x))
        };
        if w[k].ends_with("'s")
            && (person_at(k + 1)
                || (person_at(k + 2) && w[k + 1].chars().all(|c| c.is_ascii_alphabetic())))
        {
            w.remove(k);
        } else {
            k += 1;
        }
    }
    // "staff member", "support team member": one of the staff, a person.
    let mut k = 0;
    while k + 1 < w.len() {
        if matches!(w[k].as_str(), "staff" | "team")
            && matches!(w[k + 1].as_str(), "member" | "members")
        {
            w[k] = if w[k + 1] == "members" {
                "agents"
            } else {
                "agent"
            }
            .to_owned();
            w.remove(k + 1);
        }
        k += 1;
    }
    // "one of your vets", "one of your groomers": one of the business's
    // people, named by their job, is a person asked for.
    // "one of your mattress specialists": what kind drops out (the typo
    // reader may have made the plural singular).
    let plural_job = |x: &str| {
        EN_JOB_PLURALS.contains(&x)
            || ((EN_STRICT_OBJECTS.contains(&x) || is_soft(x)) && job_name(x))
            || x.strip_suffix('s').is_some_and(job_name)
    };
    if let Some((k, end)) = w.windows(3).enumerate().find_map(|(k, p)| {
        (p[0] == "one" && p[1] == "of" && matches!(p[2].as_str(), "your" | "the" | "ur"))
            .then(|| {
                (k + 4..(k + 6).min(w.len() + 1)).find(|&e| {
                    (e == k + 4 && EN_JOB_PLURALS.contains(&w[e - 1].as_str()))
                        || (plural_job(&w[e - 1]) && described_person(&w[k + 3..e]))
                })
            })
            .flatten()
            .map(|e| (k, e))
    }) {
        w[k] = "an".to_owned();
        w[k + 1] = "agent".to_owned();
        w.drain(k + 2..end);
    }
    // "the head of the clinic": its manager.
    if let Some(k) = w.windows(2).position(|p| p[0] == "head" && p[1] == "of") {
        let end = (k + 3).min(w.len());
        let skip = if w
            .get(k + 2)
            .is_some_and(|x| matches!(x.as_str(), "the" | "your" | "this"))
        {
            end
        } else {
            (k + 2).min(w.len())
        };
        w[k] = "manager".to_owned();
        w.drain(k + 1..skip.min(w.len()).max(k + 1));
    }
    // "someone on your side has to fix it": the customer needs them to.
    if let Some(k) = w.windows(6).position(|p| {
        matches!(p[0].as_str(), "someone" | "somebody")
            && matches!(p[1].as_str(), "on" | "from")
            && matches!(p[2].as_str(), "your" | "ur")
            && matches!(p[3].as_str(), "side" | "end")
            && matches!(p[4].as_str(), "needs" | "has" | "must")
            && p[5] == "to"
    }) {
        w.splice(k..k + 6, ["i", "need", "someone", "to"].map(str::to_owned));
    }
    // "lodge a formal complaint", "register a complaint": making one.
    let mut k = 0;
    while k + 2 < w.len() {
        if matches!(
            w[k].as_str(),
            "lodge" | "file" | "register" | "raise" | "submit" | "make"
        ) && w[k + 1] == "a"
        {
            if matches!(
                w[k + 2].as_str(),
                "formal" | "official" | "serious" | "proper"
            ) && w.get(k + 3).is_some_and(|x| x == "complaint")
            {
                w.remove(k + 2);
            }
            if w[k + 2] == "complaint" {
                w[k] = "make".to_owned();
            }
        }
        k += 1;
    }
    // "is anyone from the clinic around?": anyone of theirs, there.
    if let Some(k) = w.windows(4).position(|p| {
        matches!(p[0].as_str(), "anyone" | "anybody" | "someone" | "somebody")
            && p[1] == "from"
            && matches!(p[2].as_str(), "the" | "your" | "ur")
    }) && w.get(k + 4).is_some_and(|x| {
        matches!(
            x.as_str(),
            "around" | "there" | "available" | "online" | "here"
        )
    }) {
        w.drain(k + 1..k + 4);
    }
    // "a complaint against your airline": the complaint, said to the
    // company (what it is about drops out; "against a courier" stays).
    if let Some(k) = w.windows(3).position(|p| {
        p[0] == "complaint"
            && matches!(p[1].as_str(), "against" | "about")
            && matches!(p[2].as_str(), "your" | "this" | "the" | "ur" | "you")
    }) {
        // Up to the next clause ("…about the courier and I need your
        // team to call me" keeps what follows).
        let end = w[k + 1..]
            .iter()
            .position(|x| matches!(x.as_str(), "and" | "so" | "but" | "then" | "because"))
            .map_or(w.len(), |p| k + 1 + p);
        w.drain(k + 1..end);
    }
    // "sort this out with a real person", "go over this with one of your
    // bankers": working the matter through with a person, wished.
    let wished = w.iter().any(|x| {
        matches!(
            x.as_str(),
            "rather" | "prefer" | "like" | "want" | "need" | "can" | "could" | "i'd"
        )
    });
    if wished
        && let Some(k) = w.iter().position(|x| x == "with")
        && w[..k]
            .iter()
            .rev()
            .take(3)
            .any(|x| matches!(x.as_str(), "this" | "it" | "out" | "over" | "through"))
        && !w[..k]
            .iter()
            .any(|x| matches!(x.as_str(), "talk" | "speak" | "chat" | "discuss"))
    {
        w.insert(k, "discuss".to_owned());
    }
    // "the clinic manager", "the night manager", "the station manager":
    // the place or shift before a manager names which one (a product or
    // travel agent, an account manager, keep their first word).
    let mut k = 0;
    while k + 2 < w.len() {
        let x = w[k + 1].as_str();
        if matches!(w[k].as_str(), "the" | "your" | "ur" | "a" | "an")
            && (matches!(w[k + 2].as_str(), "manager" | "supervisor" | "boss")
                // "the gym owner", "the hotel owner": the business's owner,
                // not the owner of a pet, a car or an account.
                || (w[k + 2] == "owner"
                    && !matches!(
                        x,
                        "pet" | "dog" | "cat" | "car" | "home" | "house" | "card" | "policy"
                            | "vehicle" | "phone" | "business"
                            // "transfer my warranty to the new owner".
                            | "new" | "previous" | "old" | "former" | "next" | "original"
                            | "registered" | "legal" | "rightful" | "first" | "second"
                    )))
            && x.chars().all(|c| c.is_ascii_alphabetic())
            && !EN_COMPOUND_PREV.contains(&x)
            && !matches!(
                x,
                "store" | "shop" | "branch" | "account" | "hiring" | "general" | "assistant"
            )
            && !EN_STRICT_OBJECTS.contains(&x)
            && !is_soft(x)
            && !EN_BOT.contains(&x)
        {
            w.remove(k + 1);
        }
        k += 1;
    }
    // "my account's underwriter", "my policy's adviser": the business's
    // person for the customer's account, named by their job.
    let mut k = 0;
    while k + 2 < w.len() {
        let of_mine = w[k] == "my"
            && w[k + 1].strip_suffix("'s").is_some_and(|x| {
                matches!(
                    x,
                    "account"
                        | "policy"
                        | "case"
                        | "claim"
                        | "order"
                        | "application"
                        | "file"
                        | "loan"
                        | "booking"
                        | "plan"
                        | "contract"
                        | "lease"
                )
            })
            && job_name(&w[k + 2]);
        if of_mine {
            w[k] = "the".to_owned();
            w.remove(k + 1);
        }
        k += 1;
    }
    // "arrange a phone appointment with an advisor", "book a call with
    // one of your planners": a conversation with a person, booked.
    if let Some(k) = w.iter().position(|x| {
        matches!(
            x.as_str(),
            "arrange" | "book" | "schedule" | "set" | "request" | "organise" | "organize"
        )
    }) && let Some(j) = w[k + 1..]
        .iter()
        .take(4)
        .position(|x| {
            matches!(
                x.as_str(),
                "appointment" | "call" | "meeting" | "consultation" | "session" | "chat"
            )
        })
        .map(|p| k + 1 + p)
        && w.get(j + 1).is_some_and(|x| x == "with")
    {
        w.splice(k..j + 1, ["talk".to_owned()]);
    }
    // "I'd like a word with the manager": talking with them.
    if let Some(k) = w
        .windows(3)
        .position(|p| p[0] == "a" && p[1] == "word" && p[2] == "with")
    {
        w.splice(k..k + 3, ["talk", "with"].map(str::to_owned));
    } else if let Some(k) = w.windows(4).position(|p| {
        // "a quick word with your enrolment officer".
        p[0] == "a"
            && matches!(
                p[1].as_str(),
                "quick" | "brief" | "short" | "private" | "quiet"
            )
            && p[2] == "word"
            && p[3] == "with"
    }) {
        w.splice(k..k + 4, ["talk", "with"].map(str::to_owned));
    }
    // "speak to a pharmacist", "talk to the gym owner": what one talks to,
    // named with an article, is a person whatever the job (the bot, a
    // device or the customer's own people are not: "talk to the app",
    // "talk to my husband").
    let mut k = 0;
    while k + 3 < w.len() {
        // "put me in touch with the pharmacist who filled it": in touch is
        // talked to.
        let talk_to = (matches!(
            w[k].as_str(),
            "talk" | "speak" | "chat" | "talking" | "speaking" | "chatting"
        ) || (w[k] == "touch" && k > 0 && w[k - 1] == "in"))
            && matches!(w[k + 1].as_str(), "to" | "with")
            && matches!(w[k + 2].as_str(), "a" | "an" | "the" | "your" | "ur");
        // "pass this on to a claims assessor", "discuss my claim with a
        // caseworker": the matter handed to, or talked over with, someone
        // of a job (the words between name the matter).
        let handed = !talk_to
            && matches!(
                w[k].as_str(),
                "pass" | "hand" | "forward" | "refer" | "escalate" | "discuss" | "transfer"
            )
            && {
                let by = if w[k] == "discuss" { "with" } else { "to" };
                w[k + 1..]
                    .iter()
                    .take(5)
                    .position(|x| x == by)
                    .is_some_and(|p| {
                        let j = k + 1 + p;
                        j + 2 < w.len()
                            && matches!(w[j + 1].as_str(), "a" | "an" | "the" | "your" | "ur")
                            && w[k + 1..j].iter().all(|x| {
                                !EN_BOT.contains(&x.as_str()) && !EN_NEG.contains(&x.as_str())
                            })
                    })
            };
        if handed {
            // Read as "talk to": the noun phrase after the article is
            // judged below like one talked to.
            let by = if w[k] == "discuss" { "with" } else { "to" };
            if let Some(p) = w[k + 1..].iter().take(5).position(|x| x == by) {
                w.splice(k..k + 1 + p, ["talk".to_owned()]);
                continue;
            }
        }
        // "put a nurse on the line": the person put on.
        let put_on = w[k] == "put"
            && matches!(w[k + 1].as_str(), "a" | "an" | "the" | "your" | "ur")
            && w[k + 2..].iter().take(3).any(|x| x == "on");
        // "get me a claims handler", "find me an actual counselor": the
        // person fetched for the customer.
        let get_me = matches!(w[k].as_str(), "get" | "find" | "bring")
            && w[k + 1] == "me"
            && matches!(w[k + 2].as_str(), "a" | "an" | "the" | "your" | "ur");
        if talk_to || put_on || get_me {
            let from = if put_on { k + 2 } else { k + 3 };
            let end = w[from..]
                .iter()
                .take(3)
                .position(|x| EN_PHRASE_ENDS.contains(&x.as_str()))
                .map_or((from + 3).min(w.len()), |p| from + p);
            if end > from {
                let head = w[end - 1].as_str();
                let known =
                    EN_STRICT_OBJECTS.contains(&head) || is_soft(head) || EN_BOT.contains(&head);
                // A job's name: "-ist", "-er", "-or", "-ian" or a few short
                // ones (a pharmacist, the gym owner, a vet).
                let job = ["ist", "er", "or", "ian"].iter().any(|x| head.ends_with(x))
                    || matches!(
                        head,
                        "vet"
                            | "nurse"
                            | "doctor"
                            | "clerk"
                            | "coach"
                            | "chef"
                            | "pilot"
                            | "host"
                            | "guide"
                    );
                let bot_near = w[from..end].iter().any(|x| EN_BOT.contains(&x.as_str()));
                if job && !known && !bot_near && !EN_NOT_TALKED_TO.contains(&head) && head.len() > 2
                {
                    w.splice(from..end, ["agent".to_owned()]);
                } else if known && end - from > 1 && !bot_near && described_person(&w[from..end]) {
                    // "speak to a broadband engineer", "your roaming
                    // specialist": what kind of engineer drops out (not a
                    // travel agent or a product manager, nor "a real
                    // person", whose adjective the grammar reads).
                    let head = w[end - 1].clone();
                    w.splice(from..end, [head]);
                }
            }
        }
        k += 1;
    }
    // "have a caseworker look at my file", "get a technician to call me",
    // "I want a technician on the phone": someone of a job, made to act
    // for the customer or put on the line, is a person asked for.
    let mut k = 0;
    while k + 3 < w.len() {
        if matches!(w[k].as_str(), "have" | "get" | "want" | "need" | "like")
            && matches!(
                w[k + 1].as_str(),
                "a" | "an" | "the" | "your" | "ur" | "one"
            )
            && let Some(end) = (k + 3..(k + 5).min(w.len() + 1))
                .find(|&e| job_name(&w[e - 1]) && described_person(&w[k + 2..e]))
        {
            let next = |j: usize| w.get(end + j).map(String::as_str).unwrap_or("");
            let act_at = usize::from(next(0) == "to");
            let acts = matches!(
                next(act_at),
                "look"
                    | "check"
                    | "call"
                    | "ring"
                    | "phone"
                    | "contact"
                    | "review"
                    | "handle"
                    | "explain"
                    | "go"
                    | "walk"
                    | "sort"
                    | "deal"
            ) && (!matches!(w[k].as_str(), "want" | "need" | "like")
                || matches!(w[k + 1].as_str(), "your" | "ur"));
            // Wanting someone to act is a request only of the business's
            // own people (above: "I need your complaints team to call me";
            // "I need a plumber to check it" is no call for the business's).
            // "need a claims handler", "want a billing specialist": a job
            // of the business's named by its department.
            let of_department = end > k + 3 && w[k + 2..end - 1].iter().all(|x| is_department(x));
            let on_line = next(0) == "on"
                && matches!(next(1), "the" | "a")
                && matches!(next(2), "phone" | "line" | "call");
            // "need an engineer on this NOW": put on the customer's
            // matter, ending the clause.
            let on_this = next(0) == "on"
                && matches!(next(1), "this" | "it")
                && matches!(
                    next(2),
                    "" | "now" | "asap" | "please" | "pls" | "immediately"
                );
            let on_line = on_line || on_this;
            if acts || on_line || of_department {
                w.splice(k + 1..end, ["agent".to_owned()]);
            }
        }
        k += 1;
    }
    // "Human Resources" is a department, not a human.
    if let Some(k) = w
        .windows(2)
        .position(|p| p[0] == "human" && p[1] == "resources")
    {
        w[k] = "hr".to_owned();
        w.remove(k + 1);
    }
    // "get hold of someone": reaching them.
    if let Some(k) = w
        .windows(3)
        .position(|p| matches!(p[0].as_str(), "get" | "got") && p[1] == "hold" && p[2] == "of")
    {
        w[k] = "reach".to_owned();
        w.drain(k + 1..k + 3);
    }
    // "the front desk": one person word.
    if let Some(k) = w.windows(2).position(|p| p[0] == "front" && p[1] == "desk") {
        w[k] = "frontdesk".to_owned();
        w.remove(k + 1);
    }
    // "a human being", "human beings": the person, once.
    w.retain({
        let mut prev_human = false;
        move |x| {
            let drop = prev_human && (x == "being" || x == "beings");
            prev_human = x == "human" || x == "humans";
            !drop
        }
    });
    w
}

/// A person's job named by a word: a listed person or group, or a word
/// of the forms jobs take ("-ist", "-er", "-or", "-ian": a pharmacist, a
/// caseworker, an adjuster), not a device, a relative or the bot.
fn job_name(word: &str) -> bool {
    // Jobs whose names have none of the forms below (a nurse, a
    // registrar, a vet).
    let named = matches!(
        word,
        "nurse"
            | "doctor"
            | "vet"
            | "coach"
            | "tutor"
            | "clerk"
            | "teller"
            | "banker"
            | "dentist"
            | "surgeon"
            | "mechanic"
            | "registrar"
            | "physio"
            | "concierge"
            | "attendant"
            | "steward"
            | "stewardess"
            // "can a tech look at my line".
            | "tech"
    );
    let listed = named || EN_STRICT_OBJECTS.contains(&word) || is_soft(word);
    let formed = word.len() > 3
        && ["ist", "er", "or", "ian"].iter().any(|x| word.ends_with(x))
        && word.chars().all(|c| c.is_ascii_alphabetic());
    (listed || formed)
        && !EN_NOT_TALKED_TO.contains(&word)
        && !EN_BOT.contains(&word)
        && !EN_DEVICES.contains(&word)
        && !matches!(
            word,
            "customer"
                | "you"
                | "cs"
                | "service"
                | "support"
                | "whoever"
                | "order"
                | "number"
                | "other"
                | "another"
                | "user"
                | "member"
                | "owner"
                | "paper"
                | "letter"
                | "water"
                | "computer"
                | "router"
                | "printer"
                | "charger"
                | "heater"
                | "cover"
                | "answer"
                | "power"
                | "dinner"
                | "counter"
                | "error"
                | "color"
                | "colour"
                | "door"
                | "floor"
                | "mirror"
                | "sensor"
                | "monitor"
                | "timer"
        )
}

/// A department of the business named before a person ("a claims
/// handler", "someone from the leasing office"): a group word, not an
/// article or pronoun.
fn is_department(word: &str) -> bool {
    EN_PERSON_GROUP.contains(&word)
        && !matches!(word, "your" | "the" | "our" | "head" | "charge" | "company")
}

/// Words before a person's job that only say what kind it is ("broadband"
/// engineer, "claims" adjuster): plain words, none that makes the job
/// something else (a travel agent, a product manager), no adjective the
/// grammar reads (a real person), no article or verb.
fn described_person(phrase: &[String]) -> bool {
    let Some((head, desc)) = phrase.split_last() else {
        return false;
    };
    desc.len() <= 2
        && desc.iter().all(|x| {
            x.chars().all(|c| c.is_ascii_alphabetic())
                && !EN_REAL.contains(&x.as_str())
                // A filler is no description, but a department is ("your
                // support team").
                && (!EN_FILLERS.contains(&x.as_str()) || is_department(x))
                && !EN_PHRASE_ENDS.contains(&x.as_str())
                && !EN_NEG.contains(&x.as_str())
                && !EN_BOT.contains(&x.as_str())
                // "a police officer", "the insurance agent": someone else's.
                && !EN_NOT_TALKED_TO.contains(&x.as_str())
                && !matches!(x.as_str(), "my" | "his" | "her" | "their" | "our" | "own" | "old" | "new" | "former" | "previous" | "other")
        })
        && desc
            .last()
            .is_none_or(|x| !EN_COMPOUND_PREV.contains(&x.as_str()))
        && !EN_COMPOUND_PREV.contains(&head.as_str())
}

/// Words that end the noun phrase after "talk to the …" ("speak to a
/// pharmacist about my prescription").
const EN_PHRASE_ENDS: &[&str] = &[
    "about",
    "for",
    "regarding",
    "re",
    "at",
    "in",
    "on",
    "from",
    "of",
    "please",
    "pls",
    "plz",
    "now",
    "asap",
    "and",
    "because",
    "so",
    "if",
    "today",
    "tomorrow",
    "right",
    "immediately",
    "who",
    "that",
    "directly",
    "instead",
    "rather",
    "than",
    "or",
    "but",
    "here",
    "there",
    "again",
    "first",
    "then",
    "when",
    "through",
    "via",
    "using",
    "lol",
    "haha",
    "lmao",
    "with",
];

/// What one talks to that is no person of the business: devices, apps,
/// the bot's other names, the matter itself.
const EN_NOT_TALKED_TO: &[&str] = &[
    "app",
    "assistant",
    "alexa",
    "siri",
    "google",
    "device",
    "speaker",
    "camera",
    "phone",
    "screen",
    "tv",
    "system",
    "website",
    "site",
    "issue",
    "point",
    "matter",
    "hand",
    "dog",
    "cat",
    "pet",
    "kids",
    "children",
    "baby",
    "wall",
    "thing",
    "chat",
    "chatbot",
    "voice",
    "lock",
    "doorbell",
    "hub",
    "vacuum",
    "car",
    "same",
    "other",
    "person's",
    "public",
    "press",
    "media",
    "police",
    "insurer",
    "insurance",
    "courier",
    "neighbour",
    "neighbor",
    "visitor",
    "visitors",
    "caller",
    "computer",
    "speaker",
    "monitor",
    "player",
    "other",
    "driver",
    "rider",
    "partner",
    "mother",
    "father",
    "brother",
    "sister",
    "daughter",
    "teacher",
    "lawyer",
    "landlord",
    "roommate",
];

/// People of a business named by their job, in the plural after "one of
/// your" ("could one of your nurses call me").
const EN_JOB_PLURALS: &[&str] = &[
    "staff",
    "people",
    "guys",
    "folks",
    "team",
    "employees",
    "agents",
    "reps",
    "representatives",
    "managers",
    "supervisors",
    "specialists",
    "advisors",
    "consultants",
    "technicians",
    "engineers",
    "experts",
    "nurses",
    "doctors",
    "vets",
    "trainers",
    "coaches",
    "instructors",
    "groomers",
    "stylists",
    "therapists",
    "pharmacists",
    "tellers",
    "bankers",
    "officers",
    "colleagues",
    "receptionists",
    "installers",
    "drivers",
    "staffers",
];

/// A greeting or plea typed with stretched letters ("hellooo", "pleeease",
/// "heyyy"): the word itself. Other words keep their letters ("agennt" is
/// [`fix_typo`]'s).
fn unstretch(word: &str) -> String {
    let mut collapsed = String::with_capacity(word.len());
    for c in word.chars() {
        if !collapsed.ends_with(c) {
            collapsed.push(c);
        }
    }
    if collapsed.len() == word.len() {
        return word.to_owned();
    }
    match collapsed.as_str() {
        "helo" => "hello",
        "hey" | "hi" | "yo" | "pls" | "plz" | "please" | "anyone" | "anybody" | "ok" => {
            collapsed.as_str()
        }
        _ => word,
    }
    .to_owned()
}

/// What a person's possessive may give ("a supervisor's help").
fn is_help(word: &str) -> bool {
    matches!(word, "help" | "assistance" | "attention" | "input")
}

/// One typo away from a person word ("humn", "agnet", "reprsentative"):
/// that word. Short words are left alone (too many near neighbours).
pub(super) fn fix_typo(word: &str) -> String {
    // Every target below has four letters or more: shorter words are
    // left as they are without a look (most words of a clause).
    if word.len() < 4 {
        return word.to_owned();
    }
    // Two letters swapped ("tlak", "huamn", "agnet"): one slip too.
    for target in ["talk", "speak", "human", "agent", "person"] {
        if word.len() == target.len() && word != target {
            let (a, b) = (word.as_bytes(), target.as_bytes());
            let diff: Vec<usize> = (0..a.len()).filter(|&k| a[k] != b[k]).collect();
            if diff.len() == 2
                && diff[1] == diff[0] + 1
                && a[diff[0]] == b[diff[1]]
                && a[diff[1]] == b[diff[0]]
            {
                return target.to_owned();
            }
        }
    }
    // A word of the grammar is no typo ("human" is not a misspelt "humans").
    let known = EN_STRICT_OBJECTS
        .iter()
        .chain(EN_SOFT_OBJECTS)
        .chain(EN_WANT_SOFT)
        .chain(EN_POLITE)
        .chain(EN_FILLERS)
        .any(|k| *k == word);
    if word.len() >= 4 && !known && !EN_NOT_TYPOS.contains(&word) {
        // Stretched letters are one slip however long ("hooman", "agennt",
        // "humaaan"): compare with runs of a letter collapsed too.
        let mut collapsed = String::with_capacity(word.len());
        for c in word.chars() {
            if !collapsed.ends_with(c) {
                collapsed.push(c);
            }
        }
        // Targets of five letters or more: a four-letter one has too many
        // real words one edit away (real / deal / meal).
        // The request verbs of seven letters or more too ("transfr me",
        // "conect me"): shorter ones have real words one edit away.
        for target in EN_STRICT_OBJECTS
            .iter()
            .chain(&["person", "someone", "somebody", "transfer", "connect"])
        {
            if target.len() >= 5 && word != *target {
                // One edit changes the length by one at most: skip the rest.
                // One edit cannot change both the first and the last
                // letter of words this long: a cheap test before the
                // distance (this runs for every word of every clause).
                let near = |w: &str| {
                    w.len().abs_diff(target.len()) <= 1
                        && (w.as_bytes().first() == target.as_bytes().first()
                            || w.as_bytes().last() == target.as_bytes().last())
                        && crate::knowledge::edit_distance(w, target) <= 1
                };
                if near(word) || (collapsed != word && near(&collapsed)) {
                    return (*target).to_owned();
                }
            }
        }
    }
    word.to_owned()
}

/// Real words one edit away from a person word.
pub(super) const EN_NOT_TYPOS: &[&str] = &[
    "humane", "agents", "humans", "reps", "read", "reel", "persons", "managers", "ager",
];

/// Words around a channel named on its own ("customer service please").
pub(super) const EN_POLITE_CHANNEL: &[&str] = &[
    "customer", "service", "live", "chat", "please", "pls", "now", "the", "hi", "hello", "hey",
    "asap", "care", "support", "helpdesk",
];

/// Channels that name the people behind them ("customer care please").
pub(super) const EN_CHANNELS: &[&str] = &[
    " customer service ",
    " live chat ",
    " customer care ",
    " customer support ",
    " helpdesk ",
];

pub(super) fn strip_words<'a>(w: &'a [String], drop: &[&str]) -> Vec<&'a String> {
    w.iter().filter(|x| !drop.contains(&x.as_str())).collect()
}

/// A Chinese run with 的 between English words is a relative clause or a
/// possessive ("我上次talk to的那个manager": the manager talked to): the
/// English words on either side do not form one phrase, so a break word
/// (`de-break`, in no list) stands there.
fn break_at_de(clause: &str) -> std::borrow::Cow<'_, str> {
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    if !clause.contains(['的', '过', '了']) {
        return std::borrow::Cow::Borrowed(clause);
    }
    // A possessive before the noun ("call一下你们的manager") ends the run
    // with 的 and joins; 的 followed by more ("的那个") or right after
    // the English verb ("talk to的manager") relates.
    // "我 ask 过 agent 了": an aspect marker between the English words
    // reports what was done; they are no phrase either.
    let relates = |run: &str| {
        (run.contains('的') && (!run.ends_with('的') || run.starts_with('的')))
            || (run.contains(['过', '了']) && !run.contains("过来"))
    };
    let mut out = String::with_capacity(clause.len());
    let mut run = String::new();
    for c in clause.chars() {
        if cjk(c) {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            out.push_str(if relates(&run) { " de-break " } else { &run });
            run.clear();
        }
        out.push(c);
    }
    out.push_str(if relates(&run) { " de-break " } else { &run });
    std::borrow::Cow::Owned(out)
}

/// Whether, and how clearly, an English clause asks for a person.
pub(super) fn en_clause(clause: &str) -> Option<Strength> {
    // "is the complaints department the same as customer relations?": two
    // names compared, a question about the service.
    if [
        " the same as ",
        " same thing as ",
        " different from ",
        " difference between ",
    ]
    .iter()
    .any(|m| clause.contains(m))
    {
        return None;
    }
    // "please arrange for an electrician to come out": a visit or a call
    // of someone of the business, arranged.
    if clause.contains("arrange for ") && arranged_visit(&words(clause)) {
        return Some(Strength::Implied);
    }
    // "who can rebook me??", "who could look at my bill": asking who will
    // act for the customer (not "who can I…", which the grammar reads).
    if ["who can ", "who could ", "who will "]
        .iter()
        .any(|p| clause.starts_with(p))
    {
        let w = words(clause);
        let for_me = w.len() >= 4
            && !matches!(w[2].as_str(), "i" | "we" | "you" | "they")
            && w[3..w.len().min(6)]
                .iter()
                .any(|x| matches!(x.as_str(), "me" | "my" | "us" | "our"));
        if for_me && !w.iter().any(|x| EN_NEG.contains(&x.as_str())) {
            return Some(Strength::Implied);
        }
    }
    // "will someone call me before the delivery arrives?": what the
    // service does around an event, asked (a cheap first look: "will").
    if clause.starts_with("will ") {
        let w = words(clause);
        let someone = w.iter().any(|x| {
            matches!(
                x.as_str(),
                "someone" | "somebody" | "anyone" | "anybody" | "you" | "they"
            )
        });
        let event = w.iter().any(|x| {
            matches!(
                x.as_str(),
                "before" | "when" | "after" | "once" | "prior" | "until"
            )
        });
        if someone && event {
            return None;
        }
    }
    // "I'd rather sort it out myself than wait for an agent": what follows
    // "than" after "rather" is what the customer does not want.
    let clause = match (clause.find(" rather "), clause.find(" than ")) {
        (Some(r), Some(t)) if r < t => &clause[..t],
        _ => clause,
    };
    en_clause_read(clause).or_else(|| {
        // Read only when nothing else matched and the clause has "from",
        // "touch" or a call or meeting "with" (a cheap first look).
        ((clause.contains(" from ")
            || clause.contains(" touch ")
            || [
                " call with ",
                " meeting with ",
                " appointment with ",
                " conversation with ",
            ]
            .iter()
            .any(|m| clause.contains(m)))
            && wants_from_person(&words(clause)))
        .then_some(Strength::Implied)
    })
}

/// `clause` with 你们的 / 你们 written "your" where an English word follows
/// (after an optional space).
fn your_before_latin(clause: &str) -> String {
    let mut out = String::with_capacity(clause.len() + 8);
    let mut rest = clause;
    while let Some(at) = rest.find("你们") {
        let mut end = at + "你们".len();
        if rest[end..].starts_with('的') {
            end += '的'.len_utf8();
        }
        let latin_next = rest[end..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_alphabetic());
        out.push_str(&rest[..at]);
        out.push_str(if latin_next { " your " } else { &rest[at..end] });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The English reading of one clause (see [`en_clause`]).
fn en_clause_read(clause: &str) -> Option<Strength> {
    let w = words(&break_at_de(clause));
    if w.is_empty() {
        return None;
    }

    let joined = format!(" {} ", w.join(" "));
    let is = |list: &[&str], s: &str| list.contains(&s);
    // A Chinese negation governs English words in a mixed message too
    // ("不用 agent 了 thanks", "我不需要talk to anyone").
    let zh_negated = [
        "不用",
        "不需要",
        "不要",
        "不想",
        "无需",
        "不必",
        "没必要",
        "别",
    ]
    .iter()
    .any(|n| clause.contains(n));
    // "am I talking to a real person?", "is this a human or a bot?": asking
    // what answers, not for a person (the README's rule).
    if identity_question(&w) {
        return None;
    }
    // "is there a charge to talk to a representative?", "does it cost
    // anything to speak to an agent?": the price of a person, asked.
    if priced_question(&w) {
        return None;
    }
    let declined_after = EN_NEG_AFTER
        .iter()
        .any(|n| joined.contains(&format!(" {n} ")));
    let mut best = None;
    // "is there a human", "anyone real there?": asking whether there is one.
    let asks_for_one = (joined.contains(" is there ")
        || joined.contains(" are there ")
        || joined.contains(" anyone "))
        && w.iter().enumerate().any(|(i, x)| {
            // "is there agent training": a compound, not an agent.
            let compound = w.get(i + 1).is_some_and(|n| is(EN_COMPOUND_NEXT, n))
                || (i > 0 && is(EN_COMPOUND_PREV, &w[i - 1]));
            // "is there a human tutor option?": "human" describing a
            // product or a setting, within two words.
            let describes_thing = w[i + 1..].iter().take(2).any(|n| {
                is(
                    &[
                        "option", "options", "mode", "feature", "features", "setting", "settings",
                        "plan", "plans", "version", "package", "tier", "addon", "add-on",
                    ],
                    n,
                )
            });
            // "is there an additional fee for a human interpreter?": what
            // there is is a price, the person only what it is for.
            let priced = w[..i].iter().rev().take(4).any(|p| {
                is(
                    &[
                        "fee",
                        "fees",
                        "charge",
                        "charges",
                        "cost",
                        "costs",
                        "price",
                        "surcharge",
                    ],
                    p,
                )
            });
            (is(EN_STRICT_OBJECTS, x) && !compound && !describes_thing && !priced)
                || (is(EN_REAL, x)
                    && !priced
                    && (i == 0 || !is(&["i'm", "im", "am"], &w[i - 1]))
                    && !describes_thing)
        });
    // "are your agents available 24/7?", "is there a human on sundays?":
    // when someone is there, a question about the service.
    // "are there any staff who can help?": a plain person, described
    // as able to help or there.
    let asks_for_someone_able = (joined.contains(" is there ") || joined.contains(" are there "))
        && w.windows(2).any(|p| {
            is(
                &[
                    "staff",
                    "people",
                    "humans",
                    "employees",
                    "person",
                    "someone",
                    "somebody",
                ],
                &p[0],
            ) && is(
                &["who", "that", "available", "around", "online", "here"],
                &p[1],
            )
        });
    // "are any of your team available to chat?": any of a group, there now.
    let any_of_group = joined.contains(" any of ")
        && w.iter().any(|x| {
            is(
                &[
                    "team",
                    "staff",
                    "agents",
                    "people",
                    "humans",
                    "reps",
                    "representatives",
                    "you",
                ],
                x,
            )
        })
        && w.iter().any(|x| {
            is(
                &["available", "around", "online", "free", "there", "here"],
                x,
            )
        });
    let asks_for_one = asks_for_one || asks_for_someone_able || any_of_group;
    let when = w.iter().any(|x| is(EN_WHEN, x) || is(EN_WHEN_REGULAR, x));
    if asks_for_one
        && !when
        && !zh_negated
        && !EN_NEG.iter().any(|n| joined.contains(&format!(" {n} ")))
    {
        return Some(Strength::Explicit);
    }
    // "is anyone there?", "anybody here", "any agents available": asking
    // whether someone is present.
    let present = w.iter().enumerate().any(|(i, x)| {
        // "is a manager available", "any agents online".
        // "is a real person reading this": a person, made real.
        let who = is(&["anyone", "anybody", "someone", "somebody"], x)
            || (i > 1
                && is(&["person", "human"], x)
                && is(EN_REAL, &w[i - 1])
                && is(&["a", "an", "any"], &w[i - 2]))
            || (i > 0
                && is(EN_STRICT_OBJECTS, x)
                && (is(&["any", "a", "an", "the", "your"], &w[i - 1])
                    // "is a real human around", "is a live agent available".
                    || (i > 1
                        && is(EN_REAL, &w[i - 1])
                        && is(&["any", "a", "an", "the", "your"], &w[i - 2]))));
        // "is anyone actually there": past an adverb.
        // "is anybody from the team online": past the group too.
        let next = w[i + 1..]
            .iter()
            .position(|x| {
                let skipped = is(&["actually", "really", "even", "still", "out", "from"], x)
                    || (w[i + 1] == "from" && is(EN_PERSON_GROUP, x));
                !skipped
            })
            .map(|p| i + 1 + p);
        // "any humans on this chat?", "anyone on duty": on the line now.
        let on_line = |k: usize| {
            let at = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
            (is(&["on", "in"], &w[k])
                && (is(&["duty", "shift", "here", "today", "now"], at(k + 1))
                    || (is(&["this", "the"], at(k + 1))
                        && is(
                            &["chat", "line", "call", "shift", "site", "website"],
                            at(k + 2),
                        ))))
                // "is anyone at the depot?": someone at the service's
                // place now (not "your agent at the counter was rude").
                || (is(&["anyone", "anybody", "someone", "somebody"], &w[i])
                    && w[k] == "at"
                    && is(&["the", "your"], at(k + 1))
                    && is(
                        &[
                            "depot", "store", "branch", "office", "counter", "desk", "shop",
                            "warehouse",
                        ],
                        at(k + 2),
                    ))
        };
        who && next.is_some_and(|k| {
            is(
                &[
                    "there",
                    "here",
                    "available",
                    "around",
                    "online",
                    "alive",
                    // "is anybody actually reading this".
                    "reading",
                    "listening",
                    "awake",
                    "working",
                    "monitoring",
                    "real",
                ],
                &w[k],
            ) || on_line(k)
                // "any agents free right now?" (not "free of charge").
                || (w[k] == "free" && w.get(k + 1).is_none_or(|n| n != "of"))
                // "anybody home?" ends the clause ("anyone home mode" is
                // a setting).
                || (w[k] == "home" && k + 1 == w.len())
        })
    });
    // "hellooo is there anybody??": the question ends with the person.
    let n = w.len();
    let present = present
        || (n >= 3
            && is(&["is", "are"], &w[n - 3])
            && w[n - 2] == "there"
            && is(&["anyone", "anybody", "someone", "somebody"], &w[n - 1]));
    // "anybody?", "hello, anyone": nothing but the question.
    let only_who = strip_words(&w, EN_POLITE)
        .iter()
        .all(|x| is(&["anyone", "anybody", "someone", "somebody", "there"], x))
        && w.iter().any(|x| is(&["anyone", "anybody"], x));
    if (present || only_who)
        && !when
        && !zh_negated
        && !EN_NEG.iter().any(|n| joined.contains(&format!(" {n} ")))
    {
        return Some(Strength::Explicit);
    }
    let has_cjk = clause
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let negated_clause = zh_negated || EN_NEG.iter().any(|n| joined.contains(&format!(" {n} ")));
    // "how long is the wait to talk to an agent": a question about the
    // queue, whatever is named in it.
    if [
        " how long ",
        " wait time ",
        " the wait ",
        " waiting time ",
        " queue ",
        // "is speaking to an agent free of charge": what it costs.
        " free of charge ",
        " how much ",
        " cost ",
        " costs ",
        " charged ",
    ]
    .iter()
    .any(|q| {
        // "I got charged twice and need someone in billing": a charge that
        // happened, the complaint, not what a person costs.
        joined.contains(q)
            && !(*q == " charged "
                && [
                    " got charged ",
                    " was charged ",
                    " been charged ",
                    " charged twice ",
                    " charged again ",
                ]
                .iter()
                .any(|p| joined.contains(p)))
    }) {
        return None;
    }
    // "who can I actually talk to?": asking for whoever there is.
    if is(&["who", "whom"], &w[0])
        && w.get(1)
            .is_some_and(|x| is(&["can", "could", "do", "should", "may"], x))
        && w.get(2).is_some_and(|x| x == "i")
        && w[3..]
            .iter()
            .find(|x| !is(&["actually", "really", "just", "finally"], x))
            .is_some_and(|x| is(&["talk", "speak", "chat"], x))
        && !negated_clause
    {
        return Some(Strength::Implied);
    }
    // "You clearly can't help. Who else is there?": someone other than
    // the bot.
    if joined.contains(" who else ")
        && (joined.contains(" there ") || w.iter().any(|x| is(EN_TALK, x)))
        && !EN_NEG.iter().any(|n| joined.contains(&format!(" {n} ")))
    {
        return Some(Strength::Implied);
    }
    // "can I phone someone instead", "could I email a person": the
    // customer reaching a person by another channel.
    let reaches_person = w.windows(3).enumerate().any(|(k, t)| {
        is(&["can", "could", "may"], &t[0])
            && t[1] == "i"
            && is(
                &["call", "phone", "ring", "email", "text", "message"],
                &t[2],
            )
            && w[k + 3..].iter().take(3).any(|x| {
                is(&["someone", "somebody", "person", "people", "staff"], x)
                    || is(EN_STRICT_OBJECTS, x)
            })
    });
    if reaches_person && !negated_clause {
        return Some(Strength::Implied);
    }
    // "can a real person look at this", "could someone help": a modal, a
    // person as subject, an act for the customer.
    for (i, word) in w.iter().enumerate() {
        let real = i > 0 && is(EN_REAL, &w[i - 1]);
        let anyone = is(&["someone", "somebody", "anyone", "anybody"], word);
        // "could a person review my case": an article makes a plain
        // person someone in particular.
        // "could a member of your support team look into it", "can a
        // team member call me".
        let member = word == "member"
            && (w.get(i + 1).is_some_and(|n| n == "of")
                || (i > 0 && is(&["team", "staff"], &w[i - 1])));
        // "can your staff take care of this", "could your engineers look
        // into it": the business's people as a group.
        let yours = i > 0
            && is(&["your", "ur"], &w[i - 1])
            && (is(EN_WANT_SOFT, word) || is(EN_JOB_PLURALS, word))
            && !is(&["people", "person"], word);
        let a_person = (i > 0 && is(&["a", "an", "one"], &w[i - 1]) && is(EN_WANT_SOFT, word))
            || member
            || yours;
        // "is a licensed broker available to go over my options": someone
        // of a job, there now to act (not at regular times).
        // (The cheap looks first: this runs at every word.)
        let job_able = w
            .get(i + 1)
            .is_some_and(|x| is(&["able", "available", "free"], x))
            && w.get(i + 2).is_some_and(|x| x == "to")
            && job_name(word)
            && w[i.saturating_sub(3)..i]
                .iter()
                .any(|x| is(&["a", "an", "the", "your", "any"], x))
            && !w.iter().any(|x| is(EN_WHEN, x) || is(EN_WHEN_REGULAR, x));
        // "can an admissions officer review my transcript with me": a
        // modal, an article, a short description and someone of a job,
        // asked to act on the customer's matter (see `for_me` below).
        let job_modal = !is(EN_STRICT_OBJECTS, word)
            && !anyone
            && !a_person
            && job_name(word)
            && (i.saturating_sub(4)..i).any(|k| {
                is(&["can", "could", "would", "will", "may"], &w[k])
                    && w.get(k + 1)
                        .is_some_and(|x| is(&["a", "an", "the", "your", "ur", "one"], x))
                    && k + 2 <= i
                    && described_person(&w[k + 2..=i])
            });
        let person = is(EN_STRICT_OBJECTS, word)
            || (real && is(EN_WANT_SOFT, word))
            || anyone
            || a_person
            || job_able
            || job_modal;
        if !person || negated_clause {
            continue;
        }
        // The modal starts the clause or follows a word or two ("ok can
        // someone…", "so could an agent…"), then only articles and
        // adjectives up to the person.
        let head = &w[i.saturating_sub(4)..i];
        let modal = head
            .iter()
            .position(|m| is(EN_MODALS, m))
            .is_some_and(|at| {
                head[at + 1..].iter().all(|x| {
                    is(
                        &[
                            "a", "an", "the", "some", "real", "live", "actual", "human", "of",
                            "your", "you", "guys", "one", "please", "team", "staff",
                        ],
                        x,
                    )
                })
            });
        // "is a real person able to help": able / available to, a modal.
        let able = w
            .get(i + 1)
            .is_some_and(|x| is(&["able", "available", "free"], x))
            && w.get(i + 2).is_some_and(|x| x == "to")
            && head.iter().any(|x| is(&["is", "are"], x));
        // "would someone be able to look at the meter": the modal's "be
        // able to" between the person and the act.
        let be_able = !able
            && w.get(i + 1).is_some_and(|x| x == "be")
            && w.get(i + 2).is_some_and(|x| x == "able")
            && w.get(i + 3).is_some_and(|x| x == "to")
            // Not "will someone be able to … on weekends": availability.
            && head.iter().any(|x| is(&["would", "could", "can"], x))
            && !w.iter().any(|x| is(EN_WHEN_REGULAR, x));
        let mut after = if able {
            i + 3
        } else if be_able {
            i + 4
        } else {
            i + 1
        };
        // "can someone from your support team email me": past the
        // group the person belongs to.
        if w.get(after)
            .is_some_and(|x| is(&["from", "at", "in", "on"], x) || (member && x == "of"))
        {
            // "from the leasing office": a word of kind before a group
            // noun belongs to the group.
            let mut group = w[after + 1..]
                .iter()
                .enumerate()
                .take_while(|(j, x)| {
                    is(EN_PERSON_GROUP, x)
                        || (x.chars().all(|c| c.is_ascii_alphabetic())
                            && w.get(after + 2 + j).is_some_and(|n| {
                                is(&["office", "team", "department", "desk", "dept"], n)
                            }))
                })
                .count();
            // "could someone in medical records email me": a group of
            // one or two plain words, when an act on the customer follows.
            if group == 0 && anyone {
                for n in [1, 2] {
                    let plain = w[after + 1..]
                        .iter()
                        .take(n)
                        .filter(|x| x.chars().all(|c| c.is_ascii_alphabetic()))
                        .count()
                        == n;
                    let acts_on_me =
                        w.get(after + 1 + n).is_some_and(|a| {
                            is(&["call", "email", "phone", "ring", "contact", "help"], a)
                        }) && w.get(after + 2 + n).is_some_and(|m| is(&["me", "us"], m));
                    if plain && acts_on_me {
                        group = n;
                        break;
                    }
                }
            }
            // "somebody from the clinic", "someone at the bank": an article
            // and the business named by its kind.
            if group > 0
                && is(&["the", "your", "ur"], &w[after + group])
                && w.get(after + group + 1)
                    .is_some_and(|x| !is(EN_PERSON_ACTS, x) && !is(EN_MODALS, x))
            {
                group += 1;
            }
            after += 1 + group;
        }
        // "Someone from customer service needs to look at this": the
        // person, as the clause's subject, must act.
        // "charged twice and someone in billing should fix it": the subject
        // of the clause joined by "and" / "so".
        let start = w[..i]
            .iter()
            .rposition(|x| is(&["and", "so", "then"], x))
            .map_or(0, |k| k + 1);
        let subject = w[start..i].iter().all(|x| {
            is(
                &[
                    "a", "an", "the", "some", "please", "ok", "so", "real", "live", "actual",
                    "human",
                ],
                x,
            )
        });
        let obliged = subject
            && w.get(after)
                .is_some_and(|x| is(&["needs", "need", "has", "have", "should", "must"], x));
        if obliged {
            after += if w.get(after + 1).is_some_and(|x| x == "to") {
                2
            } else {
                1
            };
        }
        // "I'd appreciate it if a member of staff could look into this":
        // the modal after the person, in a polite condition.
        let polite_cond = w[i.saturating_sub(4)..i].iter().any(|x| x == "if")
            && w[..i].iter().any(|x| {
                is(
                    &[
                        "appreciate",
                        "grateful",
                        "great",
                        "helpful",
                        "nice",
                        "thankful",
                        "love",
                        "ideal",
                        "better",
                        "prefer",
                    ],
                    x,
                )
            });
        let polite_if = polite_cond
            && w.get(after)
                .is_some_and(|x| is(&["could", "would", "can", "will", "might"], x));
        if polite_if {
            after += 1;
        }
        // "I'd appreciate it if someone from your fraud team got in touch":
        // the act in the past tense, in the same polite condition.
        let polite_past = polite_cond
            && w.get(after).is_some_and(|x| {
                is(
                    &[
                        "got",
                        "called",
                        "contacted",
                        "rang",
                        "phoned",
                        "emailed",
                        "reached",
                    ],
                    x,
                )
            });
        // "is somebody from the leasing office able to help": able, past
        // the group.
        let able_after = !able
            && after > i + 1
            && w.get(after).is_some_and(|x| is(&["able", "available"], x))
            && w.get(after + 1).is_some_and(|x| x == "to")
            && head.iter().any(|x| is(&["is", "are"], x));
        if able_after {
            after += 2;
        }
        // "is anybody from the housing office available?", "…around to
        // chat?": someone of a group there now, the act left unsaid.
        let there_now = anyone
            && after > i + 1
            && w.get(after)
                .is_some_and(|x| is(&["available", "around"], x))
            && w.get(after + 1).is_none_or(|x| {
                x == "now" || (x == "to" && w.get(after + 2).is_some_and(|t| is(EN_TALK, t)))
            })
            && head.iter().any(|x| is(&["is", "are"], x))
            && !w.iter().any(|x| is(EN_WHEN, x) || is(EN_WHEN_REGULAR, x));
        if there_now && !negated_clause {
            best = best.max(Some(Strength::Implied));
            continue;
        }
        let modal = modal || able || obliged || polite_if || polite_past || able_after || job_modal;
        // The act, past adverbs ("can someone actually help me").
        let act_at = (after.min(w.len())..w.len()).find(|&k| {
            !is(
                &[
                    "actually", "please", "just", "really", "quickly", "pls", "finally", "here",
                    // "could one of your pharmacists double check my dosage".
                    "double",
                ],
                &w[k],
            )
        });
        // "get in touch with me", "get back to me", "follow up with me":
        // reaching out, said in two words.
        let reach_out = act_at.is_some_and(|k| {
            let next = w.get(k + 1).map(String::as_str);
            (matches!(w[k].as_str(), "get" | "got") && matches!(next, Some("in" | "back")))
                || (w[k] == "follow" && next == Some("up"))
        });
        // "someone needs to step up and own this", "can somebody come out
        // and explain": coming forward to answer for the matter.
        let come_forward = act_at.is_some_and(|k| {
            let next = w.get(k + 1).map(String::as_str);
            (matches!(w[k].as_str(), "step" | "come") && matches!(next, Some("up" | "forward")))
                // "come out and explain" (not "come out to service the boiler").
                || (w[k] == "come"
                    && next == Some("out")
                    && w.get(k + 2).is_none_or(|x| x == "and"))
                || (w[k] == "own" && matches!(next, Some("this" | "it" | "up")))
                || (w[k] == "answer" && next == Some("for"))
        });
        // "take care of this", "take over": handling it.
        let takes_over = act_at.is_some_and(|k| {
            w[k] == "take" && w.get(k + 1).is_some_and(|n| is(&["care", "over"], n))
        });
        let act: Option<&str> = if come_forward || takes_over {
            Some("handle")
        } else if reach_out {
            Some("contact")
        } else {
            // The past tense of a polite condition is the act itself.
            act_at.map(|k| match w[k].as_str() {
                _ if !polite_past => w[k].as_str(),
                "called" => "call",
                "contacted" => "contact",
                "rang" => "ring",
                "phoned" => "phone",
                "emailed" => "email",
                "reached" => "reach",
                other => other,
            })
        };
        // "could someone explain refunds" asks for an explanation, not a
        // person: someone must reach out to the customer, help or look
        // into the case.
        // A job's act is on the customer's own matter ("review my
        // transcript", "look at this"), not a service described ("can a
        // technician check tyre pressure").
        let for_me = !job_modal
            || act_at.is_some_and(|k| {
                w[k + 1..]
                    .iter()
                    .take(3)
                    .any(|x| is(&["me", "my", "this", "it", "our", "us"], x))
                    // "can a staff member visit her at home": someone of
                    // the customer's visited for them.
                    || (w[k] == "visit"
                        && w.get(k + 1).is_some_and(|x| is(&["her", "him", "them"], x)))
            });
        let acts = for_me
            && act.is_some_and(|n| {
                if anyone || a_person || job_modal {
                    is(
                    &[
                        "call", "contact", "phone", "ring", "reach", "email", "help", "assist",
"look", "check", "review", "handle", "deal", "sort",
                        // "if an account manager could visit our office".
                        "visit",
                        // "can somebody chase it up for me".
                        "chase",
                    ],
                    n,
                )
                    // "could a loan officer go over my statement with me",
                    // "walk me through it": going through the matter.
                    || (job_modal && is(&["go", "walk", "explain"], n))
                } else {
                    is(EN_PERSON_ACTS, n)
                }
            });
        // "will someone call me before the delivery arrives?": what the
        // service does around an event, asked (not a call asked for now).
        let around_event = w.first().is_some_and(|x| x == "will")
            && w.iter()
                .any(|x| is(&["before", "when", "after", "once", "prior", "until"], x));
        if modal && acts && !around_event {
            // "can someone help me" may be answered by a model that can
            // help; "can someone call me" and "could an agent look at
            // this" ask for a person whatever answers.
            let contact =
                act.is_some_and(|n| is(&["call", "contact", "phone", "ring", "reach", "email"], n));
            // A wish in the past tense ("…if someone got in touch") is
            // for the offline assistant; a model may read it otherwise.
            if (anyone || a_person) && !contact || job_modal || polite_past {
                best = best.max(Some(Strength::Implied));
                continue;
            }
            return Some(Strength::Explicit);
        }
    }
    // "is there someone I can talk to": someone, then a talk verb.
    // Not "is there a person icon in the app to switch accounts" (a
    // picture, and switching is no talking).
    let someone_to_talk = w.iter().enumerate().any(|(i, x)| {
        is(&["someone", "somebody", "anybody", "anyone", "person"], x)
            && !w.get(i + 1).is_some_and(|n| is(EN_COMPOUND_NEXT, n))
            && w[i + 1..].iter().any(|t| is(EN_TALK, t))
    }) || w.windows(4).enumerate().any(|(i, t)| {
        // "is there a claims adjuster I can speak with": someone of a job
        // the customer could talk to (a talk verb proper: "a router I can
        // connect to" is a device).
        is(&["i", "we"], &t[1])
            && is(&["can", "could", "may"], &t[2])
            && is(&["talk", "speak", "chat", "discuss"], &t[3])
            && job_name(&t[0])
            && w[..i]
                .iter()
                .rev()
                .take(3)
                .any(|x| is(&["a", "an", "any", "some"], x))
    });
    // Not "is there a number I can call to speak to someone": the channel.
    // "do you have someone who speaks Mandarin I could talk to": asked
    // with "do you have" too.
    if (joined.contains(" is there ")
        || joined.contains(" are there ")
        || joined.contains(" do you have ")
        || joined.contains(" do you guys have "))
        && someone_to_talk
        && !negated_clause
        && !w.iter().any(|x| is(EN_INFO, x))
    {
        return Some(Strength::Explicit);
    }
    // "where are the humans?", "where's a real person": asking where the
    // people are.
    if is(&["where", "where's", "wheres"], &w[0])
        && w.iter().enumerate().any(|(i, x)| {
            is(EN_STRICT_OBJECTS, x)
                || x == "people"
                || (x == "person" && i > 0 && is(EN_REAL, &w[i - 1]))
        })
        && w[1..].iter().all(|x| {
            is(EN_STRICT_OBJECTS, x)
                || is(EN_REAL, x)
                || is(
                    &[
                        "is", "are", "the", "a", "an", "your", "all", "people", "person", "at",
                        "when", "i", "you", "need", "one", "some", "any",
                    ],
                    x,
                )
        })
    {
        return Some(Strength::Explicit);
    }
    // "customer service please", "live chat": a channel named on its own.
    // Not inside a Chinese sentence ("customer service的电话是多少"): the
    // Chinese reader judges the channel there.
    let bare = strip_words(&w, EN_POLITE_CHANNEL);
    if bare.is_empty() && !has_cjk && w.len() >= 2 && EN_CHANNELS.iter().any(|c| joined.contains(c))
    {
        return Some(Strength::Explicit);
    }
    // "I want my call escalated", "need this transferred": a wish for the
    // passive, not a report of it ("I was transferred twice").
    let wished_passive = w.iter().enumerate().any(|(i, x)| {
        is(&["escalated", "transferred"], x)
            && i > 0
            && !is(
                &["was", "been", "is", "were", "has", "have", "had", "got"],
                &w[i - 1],
            )
            && w[..i]
                .iter()
                .any(|v| is(&["want", "need", "like", "please", "get", "have"], v))
    });
    // "does the chat get transferred to an agent automatically?": how the
    // service works, not a wish.
    // "how do complaints get escalated internally?": how it works, asked.
    let how_it_works = w.iter().any(|x| {
        is(
            &[
                "automatically",
                "usually",
                "always",
                "normally",
                "internally",
            ],
            x,
        )
    }) || is(&["how", "when", "what", "where", "why", "who"], &w[0]);
    if wished_passive && !negated_clause && !how_it_works {
        return Some(Strength::Explicit);
    }
    // "I want this handled by a person", "I'd like it reviewed by a
    // human": a wished act done by a person.
    let by_person = w.windows(2).enumerate().any(|(k, p)| {
        p[0] == "by"
            && k > 0
            && w[k - 1].ends_with("ed")
            && w[k + 1..].iter().take(3).any(|x| {
                is(EN_STRICT_OBJECTS, x) || is(&["person", "someone", "somebody", "people"], x)
            })
            && w[..k - 1]
                .iter()
                .any(|v| is(&["want", "need", "like", "prefer", "please", "rather"], v))
            && !w[..k]
                .iter()
                .any(|v| is(&["was", "were", "been", "is", "got"], v))
    });
    // "who's in charge here?": asking for whoever decides.
    let in_charge = is(&["who's", "whos", "who"], &w[0]) && joined.contains(" in charge ");
    if (by_person || in_charge) && !negated_clause {
        return Some(if in_charge {
            Strength::Implied
        } else {
            Strength::Explicit
        });
    }
    // "transfer please", "transfer!": the transfer asked for on its own.
    // "escalation please": the escalation too.
    let alone = ["transfer", "escalation", "escalate"];
    // In a mixed clause only politeness may stand beside it ("可以 escalate
    // 吗", not "怎么 transfer 话费 给朋友").
    let cjk_rest: String = clause.chars().filter(|c| !c.is_ascii()).collect();
    let polite_cjk = zh::strip_prefixes(
        &cjk_rest,
        &[
            "可以",
            "能不能",
            "能",
            "请",
            "麻烦",
            "帮我",
            "给我",
            "一下",
            "吗",
            "吧",
            "呢",
            "啊",
            "快",
            "快点",
            "谢谢",
        ],
    )
    .is_empty();
    if w.iter().any(|x| is(&alone, x))
        && polite_cjk
        && !negated_clause
        && w.len() <= 3
        && w.iter().all(|x| is(&alone, x) || is(EN_POLITE, x))
    {
        return Some(Strength::Explicit);
    }
    // "escalate this", "transfer me", "put me through", "connect me".
    // The negation governs the passive too ("I don't want to be
    // transferred").
    if !negated_clause
        && ([
            "escalate",
            "transfer me",
            "put me through",
            "connect me",
            "patch me through",
            "be put through",
            "get put through",
            "be connected to",
        ]
        .iter()
        .any(|p| joined.contains(&format!(" {p} ")))
            || ((joined.contains(" be transferred ") || joined.contains(" get transferred "))
                && !how_it_works))
    {
        return Some(Strength::Explicit);
    }
    for (i, word) in w.iter().enumerate() {
        let real = i > 0 && is(EN_REAL, &w[i - 1]);
        let soft = is_soft(word);
        // "a real person", "live support": any person made real.
        // "get me customer service": the people behind a channel.
        let channel = is(&["service", "support", "care"], word)
            && i > 0
            && is(&["customer", "live"], &w[i - 1]);
        let strict =
            is(EN_STRICT_OBJECTS, word) || (real && (is(EN_WANT_SOFT, word) || soft)) || channel;
        if !strict && !soft {
            continue;
        }
        // "when can I talk to a human?": asking when, about the service.
        if w[0] == "when" {
            continue;
        }
        // "speak with the store manager": a place before a manager names
        // which one, not another kind of person.
        let which_manager = i > 0
            && is(&["store", "shop", "branch", "account"], &w[i - 1])
            && is(
                &[
                    "manager",
                    "managers",
                    "supervisor",
                    "rep",
                    "representative",
                    "owner",
                ],
                word,
            );
        // "pass me to someone else": another person, asked for with a
        // talk verb ("give it to someone else" is not).
        let someone_else = w.get(i + 1).is_some_and(|n| n == "else")
            && w[i.saturating_sub(4)..i].iter().any(|x| is(EN_TALK, x));
        if (w.get(i + 1).is_some_and(|n| is(EN_COMPOUND_NEXT, n)) && !someone_else)
            || (i > 0 && is(EN_COMPOUND_PREV, &w[i - 1]) && !which_manager)
            || (i > 0 && is(&["i'm", "im", "am"], &w[i - 1]))
        {
            continue;
        }
        // "talk to you later": a goodbye; "can I speak with you in
        // Chinese": the bot, in a language.
        if word == "you"
            && (w
                .get(i + 1)
                .is_some_and(|n| is(&["later", "soon", "tomorrow", "again"], n))
                || (w.get(i + 1).is_some_and(|n| n == "in")
                    && w.get(i + 2).is_some_and(|l| {
                        is(
                            &[
                                "chinese",
                                "english",
                                "mandarin",
                                "cantonese",
                                "spanish",
                                "french",
                                "german",
                            ],
                            l,
                        )
                    })))
        {
            continue;
        }
        // "I need someone at home to sign for it": someone present, not
        // someone to talk to.
        if w[i + 1..]
            .first()
            .is_some_and(|n| is(&["home", "present"], n))
            || w[i + 1..].starts_with(&["at".to_owned(), "home".to_owned()])
            || (w.get(i + 1).is_some_and(|n| n == "to")
                && w.get(i + 2)
                    .is_some_and(|n| is(&["sign", "receive", "accept", "collect"], n)))
        {
            continue;
        }
        // Bare object. Not in a Chinese sentence, whose words the English
        // reader cannot see ("human 门锁支持指纹吗", "agent 说三天到"): the
        // Chinese reader judges a bare object there.
        if strict
            && !zh_negated
            && !has_cjk
            && !w
                .iter()
                .any(|x| is(&["thanks", "thank", "thx", "cheers", "bye"], x))
            && w.iter().all(|x| x == word || is(EN_POLITE, x))
        {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // "person please", "a person, now": a plain person named on its
        // own, with a word of asking (a lone "person" may be an answer to
        // a question of the bot's).
        // "Someone from your staff, please": with the group it belongs to.
        // "somebody from membership, please": any one plain word as the
        // group right after "from" / "in".
        let in_group = |k: usize, x: &String| {
            (k > i && is(&["from", "at", "in", "on"], x) && k == i + 1)
                || (k > i + 1
                    && is(&["from", "at", "in", "on"], &w[i + 1])
                    && (is(EN_PERSON_GROUP, x)
                        || (k == i + 2
                            && x.chars().all(|c| c.is_ascii_alphabetic())
                            && !is(EN_BOT, x)
                            && !is(EN_POLITE, x))))
        };
        if is(&["person", "someone", "somebody"], word)
            && w.len() >= 2
            && w.iter()
                .enumerate()
                .all(|(k, x)| x == word || is(EN_POLITE, x) || in_group(k, x))
            && w.iter().any(|x| {
                is(
                    &[
                        "please",
                        "pls",
                        "plz",
                        "now",
                        "asap",
                        "immediately",
                        "needed",
                        "required",
                    ],
                    x,
                )
            })
        {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // Walk back over fillers to the verb.
        let mut j = i;
        while j > 0 && is(EN_FILLERS, &w[j - 1]) && !is(EN_TALK, &w[j - 1]) {
            j -= 1;
        }
        if j == 0 {
            continue;
        }
        // Inflections meet their verb: transferred, connecting, talking.
        // "do I need a person at home": a question about a requirement
        // (not "do you have a person I can talk to": one to talk to).
        let to_talk_to = w[i + 1..].iter().take(4).any(|x| is(EN_TALK, x));
        if j >= 3
            && !to_talk_to
            && is(&["need", "have"], &w[j - 1])
            && is(
                &["do", "does", "will", "would", "should", "must"],
                &w[j - 3],
            )
            && is(&["i", "we", "it", "you", "someone", "they"], &w[j - 2])
        {
            continue;
        }
        // "do your stores have staff who can unlock phones": whether a
        // place of the business has such people, asked (what it offers).
        if j >= 3
            && !to_talk_to
            && is(&["have", "has"], &w[j - 1])
            && is(&["do", "does"], &w[0])
            && !w[1..j - 1].iter().any(|x| is(&["i", "me", "we", "my"], x))
        {
            continue;
        }
        // "transferable", "reachable" are not the verbs.
        if w[j - 1].ends_with("able") || w[j - 1].ends_with("ible") {
            continue;
        }
        // "can the camera talk to a person at the door": a device talks,
        // the customer asks for nobody.
        if w[j.saturating_sub(4)..j - 1]
            .iter()
            .any(|x| is(EN_DEVICES, x))
        {
            continue;
        }
        // "is chat support available on holidays": the chat's support, a
        // noun, not chatting with support.
        if j == i
            && w[j - 1] == "chat"
            && j >= 2
            && is(
                &[
                    "is", "are", "the", "your", "a", "does", "do", "live", "our", "via", "by",
                ],
                &w[j - 2],
            )
        {
            continue;
        }
        let stemmed = crate::text::stem(&w[j - 1]);
        let verb = EN_TALK
            .iter()
            .chain(EN_WANT)
            .find(|v| crate::text::stem(v) == stemmed)
            .copied()
            .unwrap_or(w[j - 1].as_str());
        // "like" wants only as "I'd like" / "would like" ("I like the
        // human voice" is taste).
        // "do you have a real human on weekends?": whether there is one at
        // some time, a question about the service.
        if is(&["have", "has"], verb) && w.iter().any(|x| is(EN_WHEN_REGULAR, x)) {
            continue;
        }
        // "do you send someone to install the treadmill?": what the business
        // does, asked about (not "can you send someone").
        // "does the hotel send someone to check the minibar?" too.
        if verb == "send"
            && j >= 3
            && (is(&["do", "does", "did"], &w[j - 3]) && is(&["you", "they", "u"], &w[j - 2])
                || (is(&["do", "does", "did"], &w[0])
                    && !w[..j].iter().any(|x| is(EN_MODALS, x) || x == "please")))
        {
            continue;
        }
        let want = (is(EN_WANT, &w[j - 1]) || is(EN_WANT, verb))
            && (w[j - 1] != "like"
                || (j >= 2 && is(&["i'd", "id", "we'd", "would", "'d"], &w[j - 2])));
        // "I'd rather deal with a person", "I'd prefer a human": a
        // preference for a person over the bot, whatever the verb.
        let preferred = (strict || is(EN_WANT_SOFT, word) || word == "team")
            && w[i.saturating_sub(6)..i]
                .iter()
                .any(|x| is(&["rather", "prefer", "prefers", "preferably"], x));
        // "have a word with a member of your team".
        let a_word = w[j.saturating_sub(1)..i]
            .windows(3)
            .any(|t| t[0] == "a" && t[1] == "word" && t[2] == "with");
        // "I need assistance from your team": a group's help wished for.
        let help_from = is_soft(word)
            && w[j..i].iter().any(|x| x == "from")
            && w[j..i].iter().any(|x| is(&["help", "assistance"], x));
        // "I'm looking for the person who left a note": someone searched
        // for, known by what they did (not staff asked for).
        let searched = is(&["look", "search", "seek", "find"], verb)
            && w.get(i + 1).is_some_and(|x| is(&["who", "that"], x))
            && w.get(i + 2).is_some_and(|x| {
                x.ends_with("ed") || is(&["left", "came", "sent", "took", "brought", "was"], x)
            });
        // "my son wants to be a customer service agent", "I want to become
        // a nurse": a job someone would have ("I want to be put through to
        // an agent" still asks).
        let becomes = w[j..i]
            .iter()
            .any(|x| is(&["be", "become", "becoming", "work", "working"], x))
            && !w[j..i].iter().any(|x| {
                x.ends_with("ed")
                    || is(
                        &["put", "seen", "called", "rung", "told", "sent", "shown"],
                        x,
                    )
            });
        // "can I bring a person with me to my appointment?": someone of the
        // customer's own, brought along.
        let brought_along = verb == "bring"
            && w[i + 1..]
                .windows(2)
                .any(|t| t[0] == "with" && is(&["me", "us"], &t[1]));
        let verb_ok = !searched
            && !becomes
            && !brought_along
            && (is(EN_TALK, &w[j - 1])
                || is(EN_TALK, verb)
                || preferred
                || a_word
                || (want && (strict || is(EN_WANT_SOFT, word) || help_from)));
        // "talk to the person" needs the verb right after fillers; "speak"
        // may also be found further back ("speak to a real human").
        // Only fillers between ("this chat recorded by a person" has a
        // noun "chat", and no request), or what is passed on ("pass this
        // on to a supervisor", "forward my case to a specialist").
        // "discuss my bill with a supervisor": what is discussed may be
        // any short phrase before "with".
        let discussed = strict
            && w[j..i].iter().any(|x| x == "with")
            // "I need to confirm the cancellation with a human": the
            // matter settled with a person.
            && w[j.saturating_sub(6)..j].iter().any(|x| {
                is(
                    &["discuss", "confirm", "clarify", "verify", "settle", "resolve"],
                    x,
                )
            });
        let verb_ok = verb_ok
            || discussed
            || (j.saturating_sub(5)..j).any(|k| {
                // "send this to a real agent", "raise this with your
                // manager": a case taken to a person named as such.
                // Inflected too: "passing this to a colleague".
                let talk = is(EN_TALK, &w[k])
                    || (w[k].ends_with("ing")
                        && EN_TALK
                            .iter()
                            .any(|v| crate::text::stem(v) == crate::text::stem(&w[k])));
                (talk || (strict && is(&["send", "raise", "take", "bring"], &w[k])))
                    && w[k + 1..j].iter().all(|x| {
                        is(EN_FILLERS, x)
                                || is(EN_TALK, x)
                                || is(EN_CARRIED, x)
                                // "put through to the warranty team".
                                || is(EN_PERSON_GROUP, x)
                    })
            });
        if !verb_ok {
            continue;
        }
        // "I talked to someone last week", "an agent called me": a report
        // of past contact. "to be transferred" is still a wish.
        let past = {
            let v = w[j - 1].as_str();
            ((v.ends_with("ed") && v != "need") || is(&["spoke", "spoken", "got", "sent"], v))
                && !(j >= 2 && is(&["be", "get", "getting", "being"], &w[j - 2]))
        };
        // "I was chatting with an agent": the past progressive reports;
        // "we had a lovely chat with your agent last week": a past verb
        // just before, or a time in the past.
        let past = past
            || (w[j - 1].ends_with("ing") && j >= 2 && is(&["was", "were"], &w[j - 2]))
            || w[j.saturating_sub(4)..j - 1]
                .iter()
                .any(|x| is(&["had", "was", "were", "did"], x))
            || joined.contains(" last week ")
            || joined.contains(" last time ")
            || joined.contains(" last month ")
            || w.iter().any(|x| is(&["yesterday", "ago"], x));
        // "Do I need to talk to an agent to cancel?", "do we have to speak
        // to someone": whether the procedure needs a person, a question.
        let required = {
            let h = &w[..j - 1];
            let n = h.len();
            let need_at = if n >= 1 && h[n - 1] == "to" {
                n.checked_sub(2)
            } else {
                None
            };
            need_at.is_some_and(|k| {
                is(&["need", "have"], &h[k])
                    && k >= 2
                    && is(&["i", "we", "you"], &h[k - 1])
                    && is(
                        &["do", "does", "will", "would", "should", "must"],
                        &h[k - 2],
                    )
            })
        };
        if required {
            continue;
        }
        // "does the chat get transferred to an agent automatically?":
        // how the service works, not a wish.
        let how_it_works = w[j - 1].ends_with("ed")
            && w.iter()
                .any(|x| is(&["automatically", "usually", "always", "normally"], x));
        if past || how_it_works {
            continue;
        }
        // "I'll contact support later if this doesn't work", "I'll ask
        // for a manager if this doesn't work": the customer's own plan,
        // not a request now ("if you can't help, I'll…" is about the bot).
        let plan_at = (j.saturating_sub(3)..j.saturating_sub(1))
            .any(|k| is(&["i'll", "ill", "will", "gonna"], &w[k]));
        if plan_at
            && w.iter()
                .any(|x| is(&["later", "if", "tomorrow", "next"], x))
            && !w
                .iter()
                .any(|x| is(&["you", "u", "bot", "can't", "cannot"], x))
        {
            continue;
        }
        // "is there a number I can call to speak to someone?": a question
        // about the channel, whatever verb follows.
        if is(
            &["is", "are", "what", "what's", "whats", "do", "does"],
            &w[0],
        ) && w.iter().any(|x| {
            is(
                &["number", "email", "e-mail", "address", "hotline", "website"],
                x,
            )
        }) {
            continue;
        }
        // "how do I contact support by email": the channel, not a person.
        if is(EN_REACH, verb) && w.iter().any(|x| is(EN_INFO, x)) {
            continue;
        }
        let lead = format!(" {} ", w[j.saturating_sub(5)..j].join(" "));
        if declined_after || zh_negated || EN_NEG.iter().any(|n| lead.contains(&format!(" {n} "))) {
            continue;
        }
        best = best.max(Some(Strength::Explicit));
    }
    if best.is_some() {
        return best;
    }
    let negated = EN_NEG.iter().any(|n| joined.contains(&format!(" {n} ")));
    // "I don't want a bot or a human": the negation declines both.
    if negated
        && (joined.contains(" or ") || joined.contains(" nor "))
        && w.iter().any(|x| is(EN_STRICT_OBJECTS, x))
    {
        return None;
    }
    // "call me back", "call me at 5": not "call me Dave" (a name).
    let call_me = w.windows(2).enumerate().any(|(k, p)| {
        p[0] == "call"
            && p[1] == "me"
            && w.get(k + 2).is_none_or(|n| {
                is(EN_CALL_ME_NEXT, n) || n.chars().next().is_some_and(|c| c.is_ascii_digit())
            })
    });
    let callback = call_me
        || joined.contains(" callback ")
        || joined.contains(" call back ")
        || joined.contains(" phone me ")
        || joined.contains(" ring me ")
        || joined.contains(" give me a call ")
        || joined.contains(" give me a ring ")
        || joined.contains(" contact me ")
        || joined.contains(" reach me ")
        || joined.contains(" reach out to me ")
        || joined.contains(" get back to me ")
        || joined.contains(" call-back ")
        || joined.contains(" be called back ")
        || joined.contains(" be called ")
        // "I want a phone call from your team": a call wished for.
        || ((joined.contains(" phone call ") || joined.contains(" a call "))
            && w.iter().any(|x| {
                is(
                    &["want", "need", "like", "request", "please", "can", "could", "would", "arrange", "schedule"],
                    x,
                )
            }));
    if callback && !negated_clause {
        return Some(Strength::Implied);
    }
    // "I want to make a complaint", "I'd like to complain": a complaint
    // against the company said as a clause of its own, an escalation.
    let complains = [
        " i want to complain ",
        " i'd like to complain ",
        " i wish to complain ",
        " i want to make a complaint ",
        " i'd like to make a complaint ",
        " i want to file a complaint ",
        " i'd like to file a complaint ",
        " i want to lodge a complaint ",
        " i'd like to lodge a complaint ",
    ]
    .iter()
    .any(|c| {
        joined
            .strip_prefix(&c[..c.len() - 1])
            .is_some_and(|rest| strip_words(&words(rest), EN_POLITE).is_empty())
    });
    if complains {
        return Some(Strength::Implied);
    }
    // "I'm human, not a robot" describes the customer.
    // Not "I'm done with this bot", which refuses it.
    // Not "I'm not talking to a bot", which refuses it.
    let about_me = [" i'm ", " i am ", " im "].iter().any(|me| {
        ["a ", "not a ", "not "].iter().any(|what| {
            joined.match_indices(&format!("{me}{what}")).any(|(at, m)| {
                !joined[at + m.len()..]
                    .split(' ')
                    .next()
                    .is_some_and(|next| next.ends_with("ing"))
            })
        })
    });
    // "I usually hate talking to bots": a habit, not this chat.
    let habit = w.iter().any(|x| {
        is(
            &["usually", "normally", "generally", "often", "typically"],
            x,
        )
    });
    if !about_me
        && !habit
        && EN_BOT
            .iter()
            // (a plain look first: the formatted ones allocate.)
            .any(|b| {
                joined.contains(b)
                    && (joined.contains(&format!(" {b} ")) || joined.contains(&format!(" {b}s ")))
            })
        && EN_BOT_REFUSAL.iter().any(|r| {
            // "no need for a human" declines the person, not the bot.
            joined.match_indices(&format!(" {r} ")).any(|(at, m)| {
                let next = &joined[at + m.len()..];
                // "I don't mind the automated replies": no refusal.
                (*r != "no"
                    || !["need ", "problem", "worries"]
                        .iter()
                        .any(|n| next.starts_with(n)))
                    && !(matches!(*r, "don't" | "dont" | "not") && next.starts_with("mind "))
            })
        })
    {
        return Some(Strength::Implied);
    }
    None
}

/// "is there a charge to talk to a representative?", "how much does it
/// cost to speak to an agent": a question whose subject is a price.
fn priced_question(w: &[String]) -> bool {
    let first = w.first().map(String::as_str).unwrap_or("");
    matches!(
        first,
        "is" | "are" | "does" | "do" | "will" | "would" | "how" | "what's" | "whats" | "what"
    ) && w.iter().enumerate().any(|(i, x)| {
        matches!(
            x.as_str(),
            "fee" | "fees" | "charge" | "charges" | "charged" | "cost" | "costs" | "price" | "surcharge"
        )
        // "someone in charge" is a person, not a price.
        && (i == 0 || w[i - 1] != "in")
        // "is the chat with a person free or do I pay": free as a price
        // closes the question ("is an agent free to talk" asks for one).
        || (x == "free"
            && w.get(i + 1).is_none_or(|n| matches!(n.as_str(), "or" | "of")))
    })
}

/// "I want answers from a real human", "I need a reply from your
/// manager": what the customer wants, wanted from a person.
fn wants_from_person(w: &[String]) -> bool {
    let is = |list: &[&str], s: &str| list.contains(&s);
    // "put me in touch with the branch that rented me the car": the
    // business's own place, reached.
    let in_touch = w.windows(4).any(|t| {
        t[0] == "touch"
            && t[1] == "with"
            && is(&["the", "your", "ur"], &t[2])
            && is(&["branch", "office", "store", "depot", "location"], &t[3])
    });
    if in_touch && !w.iter().any(|v| is(EN_NEG, v)) {
        return true;
    }
    // "how long does a visit from an engineer take?": a question about
    // the service, whatever is wished in it.
    let asked_about = w.first().is_some_and(|x| {
        is(
            &["how", "when", "what", "where", "why", "does", "is", "are"],
            x,
        )
    }) || w
        .windows(3)
        .any(|t| t[0] == "do" && t[1] == "i" && is(&["need", "have", "must"], &t[2]));
    // "I'm requesting a call with the academic director": a call or a
    // meeting with someone (not "help with", "an answer with").
    let with_person = |k: usize| {
        k >= 2
            && is(
                &["call", "meeting", "appointment", "conversation"],
                &w[k - 1],
            )
            && w[..k - 1].iter().rev().take(4).any(|v| {
                is(
                    &[
                        "want",
                        "need",
                        "like",
                        "requesting",
                        "request",
                        "book",
                        "arrange",
                        "schedule",
                    ],
                    v,
                )
            })
            && !w[..k].iter().any(|v| is(EN_NEG, v))
            && w[k + 1..]
                .iter()
                .skip_while(|n| is(&["a", "an", "the", "your", "ur", "one", "of"], n))
                .take(3)
                .any(|n| job_name(n) || is(&["someone", "somebody", "person"], n))
    };
    let from_person = |k: usize| {
        k >= 2
            && is(
                &[
                    "answers",
                    "answer",
                    "reply",
                    "response",
                    "explanation",
                    "help",
                    "callback",
                    "call",
                    "apology",
                    // "book a home visit from an engineer".
                    "visit",
                ],
                &w[k - 1],
            )
            && w[..k - 1].iter().rev().take(4).any(|v| {
                is(
                    &[
                        "want",
                        "need",
                        "demand",
                        "expect",
                        "deserve",
                        "like",
                        "wanna",
                        // "I'd appreciate a phone call from your consultant".
                        "appreciate",
                        "book",
                        "arrange",
                        "schedule",
                        "request",
                        "get",
                    ],
                    v,
                )
            })
            && !w[..k].iter().any(|v| is(EN_NEG, v))
            && (w[k + 1..]
                .iter()
                .find(|n| {
                    !is(
                        &[
                            "a", "an", "the", "your", "ur", "some", "actual", "live", "real",
                        ],
                        n,
                    )
                })
                .is_some_and(|n| {
                    is(EN_STRICT_OBJECTS, n)
                        || is(&["person", "someone", "somebody", "staff", "people"], n)
                })
                || {
                    // "from your travel consultant", "from an engineer": a
                    // job, with up to two words saying which.
                    let rest: Vec<&String> = w[k + 1..]
                        .iter()
                        .skip_while(|n| is(&["a", "an", "the", "your", "ur", "one", "of"], n))
                        .take(3)
                        .collect();
                    rest.iter().position(|n| job_name(n)).is_some_and(|at| {
                        rest[..at].iter().all(|d| {
                            d.chars().all(|c| c.is_ascii_alphabetic())
                                && !is(EN_NEG, d)
                                && !is(EN_BOT, d)
                        })
                    })
                })
    };
    !asked_about
        && w.iter()
            .enumerate()
            .any(|(k, x)| (x == "from" && from_person(k)) || (x == "with" && with_person(k)))
}

/// "am I talking to a real person?", "are you a bot?", "is this a human or
/// an AI?": a question about what is answering.
pub(super) fn identity_question(w: &[String]) -> bool {
    let at = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    let talking = ["talking", "speaking", "chatting", "texting", "writing"];
    let what = [
        "a",
        "an",
        "really",
        "actually",
        "real",
        "human",
        "bot",
        "robot",
        "person",
        "live",
        "ai",
        "automated",
        "machine",
    ];
    // "are you a bot or can I talk to a human" goes on to ask.
    let asks_on = w
        .iter()
        .skip(3)
        .any(|x| EN_TALK.contains(&x.as_str()) || EN_WANT.contains(&x.as_str()));
    // "my tutor is a real person right, not some AI voice?": saying or
    // asking what someone is ("is a real person available" asks for one).
    let described = (0..w.len()).any(|k| {
        if !matches!(w[k].as_str(), "is" | "are" | "was" | "'s") || at(k + 1) == "there" {
            return false;
        }
        let mut j = k + 1;
        while matches!(
            at(j),
            "a" | "an" | "really" | "actually" | "real" | "actual" | "live"
        ) {
            j += 1;
        }
        matches!(at(j), "person" | "human" | "people" | "humans")
            && j > k + 1
            && !matches!(
                at(j + 1),
                "available"
                    | "around"
                    | "online"
                    | "there"
                    | "here"
                    | "free"
                    | "who"
                    | "that"
                    | "to"
                    | "able"
            )
            // "is a real person reading these": someone there now, doing
            // what a person on the line does (not "reading my camera
            // footage", a question about privacy).
            && !(matches!(at(j + 1), "reading" | "listening" | "monitoring" | "watching")
                && (matches!(at(j + 2), "" | "this" | "these" | "now" | "it")
                    || (matches!(at(j + 2), "my" | "the")
                        && matches!(at(j + 3), "messages" | "chat" | "texts"))))
    });
    !asks_on
        && (described
            || (at(0) == "am" && at(1) == "i" && talking.contains(&at(2)))
            || (matches!(at(0), "are" | "r")
                && matches!(at(1), "you" | "u")
                && what.contains(&at(2)))
            || (at(0) == "is" && matches!(at(1), "this" | "that" | "it") && what.contains(&at(2))))
}

/// Verbs that report what someone else said or advised.
const EN_SAY: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "suggested",
    "suggests",
    "recommended",
    "recommends",
    "advised",
    "mentioned",
    "reckons",
    "thinks",
];

/// "my husband said I should ask for a manager", "they told me to talk to
/// an agent", "I was told to ask for a supervisor": someone else's advice,
/// reported, not the customer's request. The customer's own words ("I said
/// I want a human") and the bot's promise ("you said you'd transfer me")
/// still ask.
pub(super) fn en_reported_speech(w: &[String]) -> bool {
    // "I read on reddit that talking to a human is faster", "I heard that
    // asking for a manager helps": hearsay about a request, not one.
    let hearsay = w.iter().enumerate().any(|(k, x)| {
        matches!(x.as_str(), "read" | "saw" | "heard" | "seen")
            && w[k + 1..].iter().take(5).any(|t| t == "that")
    });
    hearsay
        || w.iter().enumerate().any(|(k, x)| {
            if !EN_SAY.contains(&x.as_str()) || k == 0 {
                return false;
            }
            let mut s = k - 1;
            while s > 0
                && matches!(
                    w[s].as_str(),
                    "just" | "already" | "also" | "even" | "literally" | "actually" | "once"
                )
            {
                s -= 1;
            }
            let subject = w[s].as_str();
            if matches!(subject, "was" | "were" | "been" | "got" | "get") {
                return x == "told" || x == "advised";
            }
            !matches!(
                subject,
                "i" | "you" | "u" | "we" | "i've" | "ive" | "i'd" | "and"
            )
        })
}

/// "Whoever is in charge of refunds, I need to speak to them": a pronoun
/// the customer wants to talk to, in a message that names the person by
/// their charge elsewhere (the pronoun stands for them).
pub(super) fn en_pronoun_request(text: &str) -> bool {
    // A cheap first look: the charge named, and a pronoun.
    if !(text.contains("whoever")
        || text.contains("in charge")
        || text.contains("the person who")
        || text.contains("who handles"))
    {
        return false;
    }
    let w = words(text);
    let is = |list: &[&str], s: &str| list.contains(&s);
    w.windows(3).enumerate().any(|(k, t)| {
        is(&["speak", "talk", "chat"], &t[0])
            && is(&["to", "with"], &t[1])
            && is(&["them", "him", "her"], &t[2])
            && w[k.saturating_sub(4)..k].iter().any(|v| {
                is(
                    &[
                        "need", "want", "like", "let", "can", "could", "must", "wanna",
                    ],
                    v,
                )
            })
            && !w[k.saturating_sub(5)..k].iter().any(|v| is(EN_NEG, v))
    })
}

/// "arrange for an electrician to come out to flat 12", "can you arrange
/// for someone to call me": someone of a job, or anyone, arranged to come
/// or to call (not "how do I arrange for a courier to collect it").
fn arranged_visit(w: &[String]) -> bool {
    let is = |list: &[&str], s: &str| list.contains(&s);
    !w.first().is_some_and(|x| {
        is(&["how", "when", "what", "where", "does", "is", "can"], x)
            && w.get(1).is_some_and(|y| is(&["i", "we", "it", "this"], y))
    }) && !w.iter().any(|x| is(EN_NEG, x))
        && w.windows(2).enumerate().any(|(k, t)| {
            t[0] == "arrange"
                && t[1] == "for"
                && w[k + 2..]
                    .iter()
                    .skip_while(|n| is(&["a", "an", "the", "your", "one", "of"], n))
                    .take(3)
                    .position(|n| n == "to")
                    .is_some_and(|p| {
                        let at = k
                            + 2
                            + w[k + 2..]
                                .iter()
                                .take_while(|n| is(&["a", "an", "the", "your", "one", "of"], n))
                                .count()
                            + p;
                        at >= 1
                            && (job_name(&w[at - 1])
                                || is(&["someone", "somebody", "anyone"], &w[at - 1]))
                            && !is(&["courier", "driver"], &w[at - 1])
                            && w.get(at + 1).is_some_and(|v| {
                                is(
                                    &[
                                        "come", "visit", "call", "phone", "ring", "contact",
                                        "look", "check",
                                    ],
                                    v,
                                )
                            })
                    })
        })
}
