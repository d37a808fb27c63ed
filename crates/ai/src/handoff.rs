//! Recognizing a request for a person, in Chinese and English.
//!
//! Handoff is a state change decided here (or by a provider's tool call),
//! never text parsed out of a model's reply.

const ZH: &[&str] = &[
    "转人工",
    "人工客服",
    "人工服务",
    "找客服",
    "真人",
    "人工",
    "客服人员",
    "找人工",
    "接人工",
    "转接客服",
    "人工坐席",
    "联系客服",
    "投诉",
];

const EN: &[&str] = &[
    "human",
    "real person",
    "a person",
    "live agent",
    "an agent",
    "talk to someone",
    "speak to someone",
    "customer service rep",
    "representative",
    "operator",
    "live chat",
    "talk to a person",
    "speak to a person",
];

/// True when the customer asks for a person.
pub fn wants_human(text: &str) -> bool {
    let lower = text.to_lowercase();
    if ZH.iter().any(|p| lower.contains(p)) {
        return true;
    }
    // Whole-word match for English, so "inhuman" or "agency" do not count.
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let joined = format!(" {} ", words.join(" "));
    EN.iter().any(|p| joined.contains(&format!(" {p} "))) || words == ["agent"]
}

#[cfg(test)]
mod tests {
    use super::wants_human;

    #[test]
    fn both_languages_and_no_false_friends() {
        for yes in [
            "转人工",
            "我要人工客服！",
            "帮我找客服",
            "能不能转接客服",
            "I want a human",
            "Can I talk to a real person?",
            "agent",
            "Let me speak to someone please",
            "get me a live agent",
        ] {
            assert!(wants_human(yes), "{yes}");
        }
        for no in [
            "where is my order",
            "退货政策是什么",
            "is this product inhuman?",
            "travel agency invoice",
        ] {
            assert!(!wants_human(no), "{no}");
        }
    }
}
