//! Off-topic questions written for this test (not taken from the
//! evaluation files): chit-chat, weather, jokes, other companies, general
//! knowledge. Against the evaluation knowledge base they must get the plain
//! apology, not a passage; the ones that share a single common word with a
//! document ("what's your name" and the Wi-Fi article's network name) are
//! the class this guards.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use chat_ai::eval::EvalSet;
use chat_ai::knowledge::Index;
use chat_ai::offline::{OfflineConfig, decide};

const OFF_TOPIC: &[&str] = &[
    "what's the weather like tomorrow",
    "will it rain this weekend",
    "tell me something funny",
    "do you know any good jokes",
    "who won the football game last night",
    "how do I cook rice",
    "what is the capital of france",
    "can you recommend a good movie",
    "I love you",
    "good morning",
    "how are you today",
    "what's your name",
    "are you a robot",
    "do you sell iphones",
    "is samsung better than you",
    "does xiaomi make a better vacuum",
    "how much is a tesla",
    "where can I buy dyson products",
    "what time is it in tokyo",
    "help me with my homework",
    "write me a poem about cats",
    "how do I lose weight",
    "my dog ate my homework",
    "can you order me a pizza",
    "book a flight to london",
    "what's the meaning of life",
    "I'm bored",
    "do you work for amazon",
    "can I pay with bitcoin at the grocery store",
    "what is 2 plus 2",
    "how old are you",
    "what's the price of gold today",
    "recommend a good restaurant nearby",
    "how do I fix my car engine",
    "can you help me",
    "I have a question",
    "hello there",
    "good night",
    "where are you located in the world",
    "who is the president",
    "今天天气怎么样",
    "明天会下雨吗",
    "讲个笑话吧",
    "你叫什么名字",
    "你好啊",
    "早上好",
    "你几岁了",
    "小米的扫地机好用吗",
    "华为手机多少钱",
    "帮我订一张机票",
    "推荐一部电影",
    "怎么做红烧肉",
    "我好无聊",
    "苹果和安卓哪个好",
    "股票明天会涨吗",
    "我想减肥",
    "附近哪里有加油站",
    "你喜欢什么颜色",
    "我有个问题",
    "帮帮我",
    "淘宝上的东西怎么退",
    "京东的快递几天到",
    "顺丰的电话是多少",
    "你们老板是谁",
    "宇宙有多大",
];

/// English off-topic questions built on the generic words of customer
/// service (order, track, refund, pay, cancel, reset, time, price), written
/// for the corroboration rule (`knowledge::Evidence`) before it was tuned.
/// Each shares a word or two with some document; the rest of it is foreign
/// to the knowledge base.
const GENERIC_WORDS: &[&str] = &[
    "can you help me order a pizza",
    "what time is it right now",
    "how much does a new car cost",
    "how do I cancel my netflix subscription",
    "where can I buy cheap flights",
    "what's the price of bitcoin today",
    "how do I track a flight",
    "how do I change a flat tire",
    "can I return library books late",
    "my phone battery dies too fast",
    "how long does it take to boil an egg",
    "what's the best time to visit japan",
    "how do I reset my bank pin",
    "is it going to rain tomorrow",
    "what is the capital of australia",
    "how do I get a refund from my airline",
    "can you help me with my tax return",
    "how many days until christmas",
    "what is your favourite colour",
    "how do I pay my electricity bill",
    "where is the nearest post office",
    "how do I open a bank account",
    "can you book me a taxi",
    "what are your thoughts on politics",
    "how much does a wedding cost",
    "do you deliver groceries",
    "can I pay my rent with a credit card",
    "how do I apply for a passport",
    "what's the speed limit on the highway",
    "how do I learn to code",
    "is coffee bad for you",
    "how do I contact the police",
    "what size shoe do I wear",
    "recommend a good book",
    "how do I write a cover letter",
    "what's a good name for a goldfish",
    "how tall is mount everest",
    "how do I unsubscribe from spam emails",
    "is there parking near the train station",
    "how to make my hair grow faster",
];

fn index() -> Index {
    let set = EvalSet::load(&EvalSet::default_dir(), "dev").unwrap();
    let docs: Vec<_> = set.knowledge_docs().into_iter().map(|(_, d)| d).collect();
    Index::build(&docs)
}

/// The questions of `list` the assistant answers with a passage.
fn answered(list: &[&'static str]) -> Vec<&'static str> {
    let index = index();
    let config = OfflineConfig::default();
    list.iter()
        .copied()
        .filter(|q| decide(&index, q, &config).answer.is_some())
        .collect()
}

#[test]
fn off_topic_questions_get_no_passage() {
    let answered = answered(OFF_TOPIC);
    // Measured when written: 5 of 65 (7.7 %), down from 7; 2 since a
    // document must corroborate an English question (`Evidence`): "do you
    // sell iphones" and 顺丰的电话是多少; 1 since two words must meet in a
    // sentence (dec14): 顺丰的电话是多少 remains. 2 since a Chinese
    // question's first document may lead by its title (decide19,
    // docs/BENCHMARKS.md, "The answer decision, twelfth pass"): 京东的快递
    // 几天到 meets the delivery-times article (confidence .22, half the
    // margin, titled by 送达 / 时效); this knowledge base names 京东, so
    // `names_other_company` does not hold.
    assert!(answered.len() <= 2, "answered: {answered:?}");
    for q in [
        "what's your name",
        "are you a robot",
        "can you order me a pizza",
        "I love you",
        "good night",
        "how do I lose weight",
        "how do I contact the police",
    ] {
        assert!(!answered.contains(&q), "{q}");
    }
}

#[test]
fn generic_words_alone_are_not_an_answer() {
    let answered = answered(GENERIC_WORDS);
    // Measured when written: 7 of 40 before the rule, 2 after ("how do I
    // cancel my netflix subscription", "can I pay my rent with a credit
    // card": two words each in a document about them, only the brand or the
    // rent foreign). Since dec14 netflix is out (a short question with a
    // foreign word) and "how do I change a flat tire" in (its words in the
    // international-shipping title and body, a title lead over the rival).
    assert!(answered.len() <= 2, "answered: {answered:?}");
}

/// The demo FAQ (`data/faq.json`: a general online store, another
/// business than the evaluation set's) indexed as the product indexes it,
/// tags included.
fn faq_index() -> Index {
    #[derive(serde::Deserialize)]
    struct Faq {
        documents: Vec<Doc>,
    }
    #[derive(serde::Deserialize)]
    struct Doc {
        title: String,
        body: String,
        tags: Vec<String>,
    }
    let faq: Faq = serde_json::from_str(include_str!("../data/faq.json")).unwrap();
    let docs: Vec<_> = faq
        .documents
        .iter()
        .map(|d| {
            chat_domain::model::KnowledgeDoc::new(
                &d.title,
                &d.body,
                d.tags.clone(),
                chat_domain::time::now(),
            )
            .unwrap()
        })
        .collect();
    Index::build(&docs)
}

#[test]
fn off_topic_questions_get_no_passage_from_another_business_either() {
    // The answer rule was first written against the evaluation set's
    // knowledge base; on other businesses generic words met other
    // articles (dec14, docs/BENCHMARKS.md, "The answer decision").
    let index = faq_index();
    let config = OfflineConfig::default();
    let answered: Vec<&str> = OFF_TOPIC
        .iter()
        .chain(GENERIC_WORDS)
        .copied()
        .filter(|q| decide(&index, q, &config).answer.is_some())
        .collect();
    eprintln!(
        "answered {} of {}: {answered:?}",
        answered.len(),
        OFF_TOPIC.len() + GENERIC_WORDS.len()
    );
    assert!(
        answered.len() <= MEASURED_ON_THE_FAQ,
        "answered: {answered:?}"
    );
}

/// Off-topic questions of both lists answered from the demo FAQ, as
/// measured when the test was written: 13 of 105 with the rule before
/// (dyson products, netflix, the electricity bill, a flat tire, spam
/// e-mails, shoe sizes among them), 9 after; 6 since questions no help
/// centre answers get no passage (`offline::beyond_help_centre`: "how old
/// are you", "what is 2 plus 2", 我有个问题).
const MEASURED_ON_THE_FAQ: usize = 6;

#[test]
fn one_word_on_a_single_title_is_still_answered() {
    let index = index();
    let config = OfflineConfig::default();
    for q in ["exchange", "password reset", "night vision"] {
        let d = decide(&index, q, &config);
        assert!(
            d.answer.is_some(),
            "{q}: {:?}",
            d.hits.first().map(|h| &h.title)
        );
    }
}
