//! The recognizer's tests: phrasings by class, both languages.
//!
//! ~750 lines of phrasings, one table per class: kept in one file so that a
//! new class is checked against every look-alike already listed.

use super::{Strength, request, wants_human};

/// Every phrasing of `yes` not taken as a request and every one of `no`
/// taken as one, so that a test lists all its failures at once.
fn misclassified(yes: &[&str], no: &[&str]) -> Vec<String> {
    let mut wrong: Vec<String> = yes
        .iter()
        .filter(|t| !wants_human(t))
        .map(|t| format!("missed: {t}"))
        .collect();
    wrong.extend(
        no.iter()
            .filter(|t| wants_human(t))
            .map(|t| format!("false alarm: {t}")),
    );
    wrong
}

#[test]
fn requests_in_both_languages() {
    for yes in [
        "转人工",
        "我要人工客服！",
        "帮我找客服",
        "能不能转接客服",
        "叫你们经理来",
        "我要跟真人说话",
        "人工",
        "I want a human",
        "Can I talk to a real person?",
        "agent",
        "human please",
        "Let me speak to someone please",
        "get me a live agent",
        "connect me to customer service",
        "I'd like to speak with a manager",
    ] {
        assert_eq!(request(yes), Some(Strength::Explicit), "{yes}");
    }
    for implied in [
        "不要机器人",
        "请给我回个电话",
        "call me back please",
        "stop the bot",
    ] {
        assert_eq!(request(implied), Some(Strength::Implied), "{implied}");
    }
}

#[test]
fn compounds_negations_and_questions_are_not_requests() {
    for no in [
        "where is my order",
        "退货政策是什么",
        "is this product inhuman?",
        "travel agency invoice",
        "人工智能音箱怎么连wifi",
        "安装要收人工费吗",
        "不用转人工了，问题解决了",
        "人工客服就不用了",
        "客服电话是多少",
        "人工客服几点上班",
        "I don't need a human any more",
        "no need for an agent",
        "is it human error?",
        "my travel agent booked it",
        "which user agent does the app send",
        "what are customer service hours",
    ] {
        assert!(!wants_human(no), "{no}");
    }
}

/// The classes added in the second pass, on phrasings written for this
/// test (not taken from the evaluation set): inflected verbs, a person
/// as the subject of a modal question, "is there someone", talking
/// with a person, a person asked to reply, nominalized persons,
/// imperative call-backs; and their look-alikes.
#[test]
fn request_classes_and_their_look_alikes() {
    for yes in [
        "I'd like to be transferred to an agent",
        "human agent",
        "can a real person look at this",
        "could an agent call me tomorrow",
        "can somebody contact me about my order",
        "is there someone I can talk to",
        "我要和人说话",
        "我想跟人工聊聊",
        "能不能让真人回复我",
        "让客服回我一下",
        "帮我叫一下值班的",
        "请联系我，电话13800000000",
        "能让懂行的人来回答吗",
        "我要找专人处理",
        "我想咨询人工",
    ] {
        assert!(wants_human(yes), "{yes}");
    }
    for no in [
        "could someone explain how refunds work",
        "can the camera tell a person from a cat",
        "how do I contact support by email",
        "找客服要多久才能回复",
        "跟人说话的时候门锁会响吗",
        "客服回复我说三天到账",
        "值班的师傅几点上班",
        "我和家人说话的时候摄像头会录音吗",
        "我已经跟客服沟通过了",
        "专员上门安装收费吗",
    ] {
        assert!(!wants_human(no), "{no}");
    }
}

/// The third pass: classes of asking for a person (every verb of
/// contact or transfer, every person noun, asking whether anyone is
/// there, refusing the bot, typos) and their look-alikes (compounds,
/// questions about the service, past contact, negation, third persons).
/// Written for this test, not taken from the evaluation set. All
/// failures are listed at once.
#[test]
fn third_pass_classes() {
    let yes = [
        // zh: verb + person noun
        "转个人工呗",
        "帮我接人工",
        "给我找个客服",
        "叫个真人出来",
        "我要找活人",
        "请让工作人员联系我",
        "换个人工客服来",
        "能不能转主管",
        "我要投诉，找你们负责人",
        "投诉到你们经理那",
        "让你们领导出来说话",
        "找个客服妹子",
        "小二在吗",
        "叫小二出来",
        "我要真人客服",
        "人工人工人工",
        "赶紧给我转人工",
        "麻烦帮忙转一下人工",
        "我要找你们主管投诉",
        "接个客服",
        "请你们工作人员跟我联系",
        "客服呢？",
        "叫个人来处理一下",
        "我要人工服务",
        "联系客服",
        "找人工",
        "要人工",
        "让客服打给我",
        "我想投诉，转值班经理",
        "请个工作人员来看看",
        "换真人",
        "给我转客服专员",
        // zh: is anyone there
        "有人吗？",
        "有没有人啊",
        "有活人吗",
        "有真人吗",
        "在吗在吗有人没",
        "值班的人在吗",
        // zh: refusing the bot
        "不要机器人了，给我转人工",
        "机器人听不懂，换人",
        "别用机器人糊弄我",
        "我不想跟机器人聊",
        // zh: typos and homophones
        "转人共",
        "人攻服务",
        "转仁工",
        "找人宫",
        // zh: call back
        "打电话给我",
        "请客服回电",
        "让专员给我回个电话",
        // en: verb + person noun
        "can I talk to someone",
        "can i speak to somebody please",
        "I want to speak to a representative",
        "get me a human",
        "put me through to an operator",
        "transfer me to a live agent",
        "escalate this to your supervisor",
        "I need to talk to a manager",
        "let me chat with a real person",
        "connect me with support staff",
        "speak to a real human being",
        "I demand to speak to your manager",
        "get a supervisor on the line",
        "reach a human",
        "can I get a rep",
        "live chat with an agent please",
        "I want to talk to customer service",
        "I'd rather speak to a person",
        "could you transfer me to someone who can help",
        "real person please",
        "operator!",
        "I need a human to look at this",
        "let me talk to someone in charge",
        "i wanna talk to a human",
        "can you get someone from your team to contact me",
        "I want a real person not a machine",
        "Can I please speak with a staff member",
        // en: is anyone there
        "is anyone there?",
        "is there anybody there",
        "hello? anyone there",
        "is there a person I could chat with",
        // en: refusing the bot
        "you're useless, get me a person",
        "stop the bot and get me someone",
        "I don't want to talk to a bot",
        "no more robots please",
        // en: call back
        "please have someone call me back",
        "can somebody call me",
        "call me back at 555-0100",
        "I'd like a callback",
        // en: typos
        "humam please",
        "talk to agnet",
        "represenative",
        "speak to a humna",
        "我要找人！",
        "可以人工吗",
        "人工介入",
        "客服小姐姐在吗",
        "有人在线吗",
        "any humans here?",
        "hello, is somebody there?",
        "can I get transferred",
        "let me speak to your boss",
        "please escalate",
        "怎么转人工",
        "我想和客服沟通一下",
        "请安排专人对接",
        "叫你们老板出来",
        "让你们管事的出来",
        "我要找你们售后",
        "能不能让人工来处理",
        "有没有客服啊",
        "客服客服",
        "接人工服务",
        "人工服务谢谢",
        "转真人",
        "我要求人工服务",
        "来个真人",
        "给个人工",
        "喊个客服过来",
        "你们客服人呢",
        "机器人滚",
        "这个智能客服太差了",
        "人工客服请回复",
        "我需要跟人工确认一下",
        "找值班的",
        "talk to a person",
        "give me an agent",
        "you're a bot, I want a person",
        "how do I get to a human",
        "i need live support",
        "Could I be put through to someone?",
        "have someone phone me",
        "Are there any agents online?",
        "Hello?? Anybody?",
        "this chatbot is useless",
        "你们有没有人管啊",
        "转一下客服",
        "我需要人工协助",
        "不想和机器对话",
        "给我接通客服",
        "请帮我联系售后",
        "我想找个人工问问",
        "可以转给人工处理吗",
        "帮我叫下客服",
        "需要客服介入",
        "I'm done with this bot",
        "I'm tired of talking to a robot, get me someone",
        "transfer to human",
        "Please get someone to call me",
        "How do I speak to a human?",
        "Is it possible to speak with an agent?",
        "may I speak with the person in charge",
        "real human needed",
        "跟机器人说不清楚",
        "人工客服在哪里找",
        "人工怎么转",
        "帮我接个接线员",
        "can I have a word with a manager",
        "I need assistance from a human",
        "human assistance please",
        "快点给我转人工，不然我投诉了",
        "我要和你们的工作人员通话",
        "给我个人工",
        "机器人没用，要人",
        "麻烦人工看一下",
        "人工回复一下",
        "叫人",
        "让值班经理给我打电话",
        "有专人负责吗",
        "can i get some human help",
        "I need someone from customer service to call me",
        "Let me talk to your superior",
        "Could you have a person contact me?",
        "pass me to a human",
        "Get me a real person already",
        "Humans only please",
    ];
    let no = [
        // zh: compounds
        "人工智能能帮我扫地吗",
        "安装人工费多少钱",
        "小区有人工湖，摄像头防水吗",
        "阳台是人工草坪能放扫地机吗",
        "人工成本涨了所以涨价吗",
        "人工降雨会影响户外摄像头吗",
        "个人信息怎么删除",
        // zh: about the service
        "客服几点下班",
        "人工客服电话是多少",
        "客服的邮箱是什么",
        "人工客服周末上班吗",
        "客服什么时候在线",
        "找客服要排队多久",
        // zh: negation
        "不用转人工，我自己看看",
        "不需要人工客服",
        "我不想找客服，告诉我怎么退货就行",
        "不用联系我，发邮件就行",
        // zh: past contact, third persons, praise
        "昨天客服跟我说会退款",
        "刚才人工说三天到账",
        "我经理说你们的锁不错",
        "我们领导让我买一个门锁",
        "我老公找过客服了",
        "客服态度很好，谢谢",
        "你们的客服很专业",
        "我之前联系过客服",
        "客服说要我重启一下",
        "快递员说打过电话给我但我没接到",
        // zh: people as a topic
        "摄像头能识别人吗",
        "有人经过的时候会报警吗",
        "家里没人的时候扫地机会工作吗",
        "门锁能设置几个人的指纹",
        "工作人员上门安装收费吗",
        // zh: plain
        "请问怎么退货",
        "转账可以吗",
        "找不到订单了",
        "要多久到货",
        "我想换个颜色",
        // en: about the service
        "what are your opening hours",
        "what's your customer service phone number",
        "what is the support email address",
        "is live chat available on weekends",
        "how do I contact support by email",
        "how to reach the service centre",
        // en: negation
        "I don't need to talk to anyone, just tell me the refund policy",
        "no need for a human, thanks",
        "don't call me, just email",
        "please don't transfer me",
        // en: past contact, third persons, praise
        "I already spoke to an agent yesterday about the refund",
        "the representative told me it would ship today",
        "my manager said I should ask about invoices",
        "my boss wants a VAT invoice",
        "your agent was very helpful",
        "I talked to someone on the phone last week and they said it was covered",
        "an agent called me yesterday",
        // en: people as a topic, compounds
        "does the camera detect people",
        "can the lock tell a person from a pet",
        "artificial intelligence features of the vacuum",
        "human error caused the wrong address",
        "my travel agent booked the delivery",
        "how many people can share the app",
        "can someone else use my account",
        "add another person to the lock",
        "the delivery person left it at the door",
        // en: the same verbs, other objects
        "how do I transfer my warranty to a new owner",
        "can I transfer the device to another account",
        "connect the camera to wifi",
        "can you get me a refund",
        "I want to speak about my refund",
        "I don't want a refund, I want an exchange",
        "my complaint was escalated last week, any update?",
        "how do I transfer media to the sd card",
        "this colour makes me angry",
        "让人很生气",
        "找人帮忙安装要钱吗",
        "有人不喜欢这个颜色吗",
        "后来客服说给我退款",
        "客服让我等三天",
        "人工客服是24小时的吗",
        "你是真人吗",
        "扫地机器人听不懂语音指令",
        "the robot vacuum is not charging",
        "will an agent be able to see my camera footage?",
        "is anyone home mode available on the camera",
        "客服你好，我想问下退货",
        "联系不上客服怎么退货",
        "your support team is great",
        "can I speak to the camera through the app",
        "can someone else unlock my door",
        "I'm sick of this robot vacuum getting stuck",
        "the chat agent app crashes",
        "人工怎么收费",
        "我要投诉你们的快递",
        "a word of warning about the app",
        "help me find my order number",
        "人工客服说的跟你说的不一样",
        "我找到订单了",
        "接人的时候门锁会自动开吗",
        "换人脸识别",
        "the operator of the delivery van was rude",
        "what does the manager app do",
        "can my agent pick it up for me",
        "I am a store manager and want bulk pricing",
        "does it work with human voice commands",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(yes.len() + no.len() >= 150);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The fourth pass (hand14): classes found on the authors' own dev set
/// (`eval/handoff.hand14-dev.jsonl`), each tried here on phrasings written
/// for this test: pinyin and pinyin initials, escalating / waiting /
/// begging verbs, result complements (找到, 联系上), superiors (上级),
/// "where is the manager", talking with "your people" face to face, a
/// pronoun standing for a person named before, a described person who
/// should talk; modal questions with someone / anyone / a person helping,
/// stretched typos, "person please", escaping the bot, "where are the
/// humans", call-backs by contact; and their look-alikes (time words
/// asking when the service is there, denying having asked, 和/跟 as "and",
/// time clauses, identity questions, "someone else", -able adjectives,
/// place and job compounds, "问题" after 客服).
#[test]
fn fourth_pass_classes() {
    let yes = [
        // zh: pinyin
        "zhuan rengong",
        "能转rengong吗",
        "我要rengong kefu",
        "zrg",
        "rg",
        "kefu在吗",
        "zhao kefu",
        // zh: escalating, waiting, begging
        "帮我升级给经理",
        "请把我的投诉上报给领导",
        "交给你们专员处理吧",
        "一直在等人工",
        "等客服来处理",
        "求人工",
        "求个真人",
        // zh: result complements
        "怎么才能找到人工",
        "我要联系上客服",
        // zh: superiors
        "叫你上司来",
        "我要找你们上级反映",
        // zh: where is the person
        "你们经理呢",
        "负责人在哪",
        "主管在不在",
        // zh: talking with your people
        "我要跟你们的人说",
        "跟客服当面说清楚",
        "想和真人直接沟通",
        "我要跟人商量一下",
        // zh: pronoun for a person named before
        "客服是谁，叫她来",
        "你们经理呢？让他过来",
        // zh: described person who should talk
        "找个明白的人跟我解释",
        "换个懂的人和我说",
        // zh: asking a person to ask something
        "我想找人工客服问问",
        "找客服问一下",
        // en: modal + someone / a person + act
        "can someone please help me",
        "could anybody help me out here",
        "can anyone assist me",
        "could a person check my order",
        "would someone look at my ticket",
        "ok can someone actually sort this out",
        // en: stretched typos
        "hooman please",
        "agennt",
        "talk to a humaaan",
        // en: person please
        "a person please",
        "someone please, now",
        // en: escaping the bot
        "get me away from this bot",
        "I'm out of patience with this bot",
        "I'm not talking to a bot anymore",
        // en: where are the humans
        "where are the humans",
        "where's a real person when you need one",
        // en: call-backs by contact
        "please contact me asap",
        "can someone reach out to me",
        "give me a ring",
        "someone get back to me please",
    ];
    let no = [
        // zh: when there is one
        "晚上有人工客服吗",
        "节假日客服上班吗",
        "春节期间有人工吗",
        // zh: denying having asked
        "我没说要转人工",
        "我没有找客服",
        // zh: 和 / 跟 as "and"
        "客服和快递都不回我消息",
        "跟客服的聊天记录在哪看",
        // zh: time clauses
        "联系客服后多久能退款",
        "找客服的时候要提供订单号吗",
        // zh: 客服 + a topic
        "客服问题反馈表在哪填",
        "门锁能识别真人照片吗",
        // zh: the pronoun with no person named
        "让他来拿快递可以吗",
        // zh: a bare superior that is only a topic
        "上级部门要求开发票",
        // en: identity questions
        "am I talking to a real person?",
        "are you a real human",
        "is this a bot or a person",
        "is it a human answering",
        // en: someone else, -able
        "can someone else pick up my parcel",
        "is the lock reachable from outside",
        "is the subscription transferable to another person",
        // en: places and jobs
        "do you have a representative office in France",
        "is there agent training for resellers",
        "I applied for a supervisor position",
        // en: a person doing something else
        "could someone explain the warranty",
        "can a person open the lock with a card",
        "can anyone use the guest code",
        // en: self-description
        "I'm a human, not a robot",
        "I'm not a bot, stop the captcha",
        // en: where, about something else
        "where is the agent's reply",
        "where are the humans in the photo from",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// In front of a model only explicit requests are acted on: the fourth
/// pass's softer classes (someone helping, escaping the bot, a call back)
/// are left to the model, the named ones are not.
#[test]
fn fourth_pass_strengths() {
    for explicit in [
        "zhuan rengong",
        "你们经理呢",
        "来人啊",
        "客服是谁，叫她来",
        "帮我升级给经理",
        "could an agent look into it",
        "can somebody phone me",
        "where are the humans",
        "transfer please",
        "a person please",
    ] {
        assert_eq!(request(explicit), Some(Strength::Explicit), "{explicit}");
    }
    for implied in [
        "can someone please help me",
        "could a person check my order",
        "机器人走开",
        "get me away from this bot",
        "please contact me asap",
    ] {
        assert_eq!(request(implied), Some(Strength::Implied), "{implied}");
    }
}

/// The fourth pass, second and third rounds (`eval/handoff.hand14-dev2.jsonl`,
/// `-dev3`): the classes they showed, on phrasings written for this test.
#[test]
fn fourth_pass_later_rounds() {
    let yes = [
        // zh: urging the person out, summoning, where the people are
        "客服赶紧出来",
        "经理快点过来",
        "快来人",
        "来个人帮我看看",
        "人都去哪了",
        "你们的人呢？",
        // zh: is one online now, sending the bot away
        "人工客服在线吗",
        "机器人闭嘴",
        // en: transfer on its own, a wished passive, presence, channels
        "transfer!",
        "I need this escalated",
        "i want to get transferred",
        "is an agent available right now",
        "customer support please",
    ];
    let no = [
        // zh: thanks, 真人 as a modifier
        "感谢客服",
        "辛苦了客服",
        "有没有真人配音的版本",
        // en: devices talking, a noun "chat", neither bot nor person
        "can the doorbell talk to a person outside",
        "is this chat saved by an agent",
        "I don't need a bot or an agent, just the manual",
        // en: passive reports, when someone is there
        "I was transferred twice already and it's fine now",
        "are agents available on weekends",
        "is there a human on sundays",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The fourth pass, fourth round (`eval/handoff.hand14-dev4.jsonl`): the
/// classes it showed, on phrasings written for this test.
#[test]
fn fourth_pass_fourth_round() {
    let yes = [
        // zh: address forms, English words around a Chinese object
        "客服姐姐在吗",
        "人工 pls",
        "I need 人工客服",
        "talk to 客服",
        // zh: a described person
        "叫一位懂技术的客服",
        "找个靠谱的工作人员",
        // en: text-speak, passing a case on, takeover, a call wished for
        "can i talk 2 an agent",
        "please pass my complaint on to a manager",
        "escalate my ticket over to a supervisor",
        "agent takeover please",
        "I'd like a phone call from support",
    ];
    let no = [
        // zh: denying the wish, the wait, a closing let-go
        "我不是想转人工，只是问问",
        "找人工一般要排队多久",
        "人工客服忙吗？那算了吧",
        // en: a requirement, a past call
        "do I need a person to sign for it",
        "does it need someone at home to install",
        "I got a phone call from your team yesterday",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The fourth pass, fifth round (`eval/handoff.hand14-dev5.jsonl`): the
/// classes it showed, on phrasings written for this test.
#[test]
fn fourth_pass_fifth_round() {
    let yes = [
        // zh: 人 to talk, which of them, a measure word after 给我
        "找人说说这个事",
        "哪位工作人员能处理一下",
        "给我一位客服",
        // zh: the person to receive the customer, a call over, seeing one
        "客服接我一下吧",
        "有空打过来",
        "我要见经理",
        // zh: someone described by what they can do
        "叫个能做主的",
        "换个懂行的来",
        // en: require, switch, done talking, calls for attention, able to
        "I require a human",
        "switch me to an agent",
        "I'm done chatting with a robot",
        "oi agent",
        "is an agent available to help",
    ];
    let no = [
        // zh: reports stay reports; a described thing is no person
        "客服打过电话了",
        "换个大的",
        "找个便宜的",
        // en: English verb and object in a Chinese grammar, declined
        "don't need an agent",
        "is the lock able to help with deliveries",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The fourth pass, sixth round (`eval/handoff.hand14-dev6.jsonl`): the
/// classes it showed, on phrasings written for this test.
#[test]
fn fourth_pass_sixth_round() {
    let yes = [
        "经理怎么还没来",
        "人工客服到底还不回",
        "这边能不能来个人",
        "可以来个人帮我看看吗",
        "I'd like to be called back tomorrow",
        "please get me in touch with someone",
    ];
    let no = [
        "不用来人了",
        "来人的时候要带工具吗",
        "I was called back yesterday, all fine",
        "the touch screen on the lock is frozen",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The fourth pass, seventh round (`eval/handoff.hand14-dev7.jsonl`): the
/// classes it showed, on phrasings written for this test.
#[test]
fn fourth_pass_seventh_round() {
    let yes = [
        "I'd like an agent",
        "i would like a live person please",
        "I need customer support",
        "give me live support",
    ];
    let no = [
        "when can I reach an agent tomorrow",
        "when do agents start",
        "I like the human voice option",
        "customer support is slow today",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fifth_pass_chinese_classes() {
    let yes = [
        // Homophones and pinyin of the person and the wish.
        "帮我转认工",
        "wo yao zhao zhuguan",
        "zhao ge kefu",
        // Skilled persons and escalation to whoever is above.
        "能不能把这个升级给你们的专家",
        "让懂行的师傅来跟我讲讲",
        "麻烦反映给上头的人",
        "反馈给你们经理",
        "帮我找一下技术支持",
        "给我安排个资深客服",
        // The person reaching out by another channel, or coming to answer.
        "请你们工作人员加我一下微信",
        "让售后发邮件给我",
        "客服来解答一下",
        // Handing the case to "your people"; a person must act.
        "把这事交给你们的人",
        "这个还是需要人来看一下",
        // Who has the say; a person able to decide; refusing to talk on.
        "你们店里谁说了算",
        "有没有懂行的人",
        "我不想再跟机器聊了",
        "不想跟你说了",
    ];
    let no = [
        // Conditions about the customer's own future need.
        "如果我以后要找客服，去哪里找",
        "万一我需要人工，怎么联系你们",
        // 别 inside other words; robots that recognise things.
        "机器人能区别猫和狗吗",
        "机器人可以识别地毯吗",
        // Reports of calls; a technician's visit; a feature.
        "快递小哥给我打电话了",
        "客服打电话给我说已经退款",
        "安排师傅上门安装要多少钱",
        "专家模式在哪里打开",
        // Negated and unrelated 有没有 / 交给.
        "有没有用过的人说说效果",
        "包裹交给门卫就行",
        "我不想跟家人共用账号",
        "不用交给你们的人",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fifth_pass_english_classes() {
    let yes = [
        "could someone in billing phone me",
        "a human, please",
        "Somebody from the support team, please.",
        "I'd rather go through this with a person",
        "could I ring somebody about this",
        "who could I speak to",
        "let an agent take a look",
        "I'd like my claim reviewed by a human",
        "is there anybody actually here",
        "are there people who can help me",
        "any chance of an agent",
        "can some1 real call me",
        "get me a human being",
        "hook me up with an agent",
        "I want to be put through to a specialist",
        "i wanna speak to real ppl",
        "this chatbot is going in circles",
        "call me back asap",
        "pass me to a colleague please",
    ];
    let no = [
        "if I ever need an agent, what's the number?",
        "If we wanted a person to install it, would that cost extra?",
        "how long is the queue for an agent right now",
        "Call me Sam. How do I reset the lock?",
        "my colleague bought the same camera",
        "this was handled by an agent last week",
        "who makes the charging dock",
        "let me know when it ships",
        "can I call the lock from the app",
        "不用 human 了，谢谢",
        "is there a person detection setting?",
        "I'd rather not talk to anyone",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fifth_pass_strengths() {
    // Implied: the model may answer these itself.
    for t in [
        "who can I talk to?",
        "我不想跟程序聊了",
        "谁说了算",
        "can I phone someone",
    ] {
        assert_eq!(request(t), Some(Strength::Implied), "{t}");
    }
    for t in [
        "I want this handled by a person",
        "反馈给你们负责人",
        "let a human handle this",
    ] {
        assert_eq!(request(t), Some(Strength::Explicit), "{t}");
    }
}

#[test]
fn fifth_pass_third_round() {
    let yes = [
        "想跟你们工作人员见面谈",
        "帮我转客户专员",
        "有没有人可以帮忙处理一下",
        "谁能来帮我看看",
        "is anyone from support around",
        "connect me to the billing department",
    ];
    let no = [
        "上周咨询过人工客服，这次想问保修",
        "我没有申请转人工",
        "不用 transfer",
        "有人能用这个锁开车库吗",
        "谁能想到包裹会丢",
        "the billing department sent me two invoices",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fifth_pass_fourth_round() {
    let yes = [
        "could I talk to the branch manager",
        "I'm looking for an agent to help with a refund",
        "叫个 live 客服",
        "来个 real human",
        "human 在不在",
        "客服 agent 都可以，快",
    ];
    let no = [
        "thanks agent",
        "That fixed it, bye",
        "does someone need to be home for the install?",
        "I need somebody present to sign",
        "agent 说明天发货",
        "human 检测灵敏度怎么调",
        "real person 和照片能区分吗",
        "the store manager gave me a coupon",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fifth_pass_fifth_round() {
    let yes = [
        "麻烦你们的同事处理一下",
        "想跟你们技术经理直接聊",
        "帮我转一个懂保修的人",
        "能派人联系我吗",
        "human 客服 where",
        "Could I have a word with someone from your team?",
        "i want to tlak to an agnet",
        "A supervisor should look at this",
        "send my case to a manager",
        "raise it with a supervisor please",
    ];
    let no = [
        "让同事帮我买了一个",
        "转个人账户可以退款吗",
        "客服的回复太慢了",
        "找客服的渠道有哪些",
        "send the invoice to my manager",
        "someone has to be home for delivery?",
        "what's the word for agent in Chinese",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fifth_pass_sixth_round() {
    let yes = [
        "请你们售后同事联系我",
        "我想跟懂行的人讨论一下",
        "要真人服务",
        "客服看到请回复",
        "is a real agent around?",
        "is the live human available",
        "let me talk to whoever is on duty",
        "I could use an agent's help",
        "帮我 reach 人工",
        "please call 我",
    ];
    let no = [
        "我同事的锁坏了",
        "真人服务和自助服务哪个快",
        "what was the agent's name",
        "别 call 我",
        "is the real agent app free?",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fifth_pass_seventh_round() {
    let yes = [
        "叫你们掌柜出来",
        "找店主",
        "真人 now",
        "can I get transferred to an agent",
    ];
    let no = [
        "刚和客服说完，谢谢",
        "跟人工沟通完了",
        "店主推荐的那款还有吗",
        "is my chat always transferred to an agent?",
    ];
    let wrong = misclassified(&yes, &no);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn sixth_pass_first_classes() {
    let wrong = misclassified(
        &[
            // 把 + the person + a summons.
            "把你们主管给我叫过来",
            "赶紧把客服找来",
            // The person coming to act.
            "那就让客服来处理吧",
            "这种事还是经理来吧",
            // Escalating the complaint, no person named.
            "我申请升级处理",
            "麻烦投诉升级一下",
            // A described person coming over.
            "找个管售后的人过来",
            // Talking by phone is no question about the number.
            "我想跟你们的技术人员通个电话",
            // English: the question ends with the person; stretched words.
            "heyyy is there anyone",
            "pleeease human",
            "chat w/ a person",
            "put me through to management",
            // The customer's own words and the bot's promise still ask.
            "I said I want a human",
            "you said you'd get me an agent",
            // A condition about the bot is no question about the future.
            "if you can't answer this, how do I get a human",
            "找客服说清楚",
        ],
        &[
            // Reported speech: someone else's advice.
            "我朋友说直接转人工比较快，退货运费多少",
            "客服跟我说要等三天",
            "听邻居说找经理有用，是真的吗",
            "据说转人工要排很久",
            "the guy at the store told me to ask for an agent, is the lock covered?",
            "I was told to speak to a supervisor about refunds. what's the policy?",
            // A passed intention, a solved problem.
            "原本打算找客服的，现在能用了",
            "I was about to ask for a human, but where is the reset button?",
            // Whether a procedure needs the service.
            "换货是不是得找客服",
            "开发票需要联系人工吗",
            // Something shown, quoted.
            "app弹出“请联系客服”是什么意思",
            "the lock's display shows \"call agent\", what now?",
            // A condition about the future and how it is done then.
            "万一门锁没电了，怎么联系客服",
            "if my vacuum breaks next year, how do I reach support?",
            // Mixed: the Chinese reader judges an English channel.
            "customer support几点下班",
            // Upgrades of things.
            "要求升级固件",
            "能帮我升级会员吗",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn sixth_pass_second_classes() {
    let wrong = misclassified(
        &[
            // Chinese written with spaces for commas.
            "等了一个小时没人理 转人工",
            "问题一直没解决 客服在哪",
            // Still one phrase when the space sits in it.
            "找 客服",
            // The number of someone above the agent.
            "给我你们主管的手机号",
            "领导的联系方式发我一下",
            // Whether anyone will deal with it.
            "这事到底有没有人管",
            // Someone at work now.
            "现在到底有没有客服在上班",
            // Urged to come; engineers; asking for help.
            "经理赶紧来",
            "麻烦安排个维修工程师联系我",
            "求助客服",
            // Mixed: English adjectives, verbs and articles.
            "有没有real person",
            "get me a 客服",
            // English: reaching out in two words.
            "could a member of your staff get back to me this week",
            "can someone follow up with me about the refund",
            "gimme a human",
        ],
        &[
            // Spaces around a topic, and negations over a space.
            "人工客服 周末上班吗",
            "不需要 人工",
            "不用 转人工 谢谢",
            // The service's hotline is information.
            "客服电话发我一下",
            // Done before, reported.
            "已经转人工了，还在排队吗",
            // Someone described.
            "the coach on the video is a real person, not some avatar?",
            // English negation over a Chinese verb.
            "don't 转人工, I just need the invoice",
            // When there is someone.
            "节假日有没有人工可以咨询",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn sixth_pass_fourth_round() {
    let wrong = misclassified(
        &[
            // Emoji end a clause.
            "客服😭",
            "转人工🙏🙏",
            // A person described by their say, with or without a measure word.
            "换个说了算的",
            "叫懂技术的过来",
            // Whether there is a described member of staff.
            "有没有负责售后的客服",
            // People by their role.
            "派个相关人员联系我",
            // Pinyin slips.
            "zhuanrengon",
            // English: on the line now; text-speak; inflected passing on.
            "anyone on duty?",
            "connect me thru to ur manager",
        ],
        &[
            // Denied with the subject between.
            "不是我们要找客服，是快递让我们问的",
            // 过 after a verb: an experience.
            "上个月联系你们主管处理过",
            // Whether the procedure needs a person.
            "do we have to speak to an agent to change the address?",
            // The past progressive.
            "we were talking to a rep when the app crashed, is the order placed?",
            // Mixed relative clause.
            "之前help我的那个agent叫什么",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn sixth_pass_fifth_round() {
    let wrong = misclassified(
        &[
            // The management; calls written short; impatience before 在哪.
            "叫你们高层来",
            "有空电联我",
            "经理究竟在哪",
            // Someone described by where they work, after a wish.
            "我要跟你们仓库的人沟通",
            // Help and urgency around an object in mixed text.
            "agent help me",
            "真人 急急急",
            // Someone else, with a talk verb; any of the team there now.
            "transfer me to somebody else, this isn't working",
            "is any of your staff online?",
        ],
        &[
            // Not planning to; someone else's request told as past.
            "不打算找客服，我自己研究一下",
            "我老公之前要求转人工，后来自己修好了",
            // A picture of a person; give to someone else.
            "is there an agent icon on the dashboard to change the language?",
            "can I give the spare key to someone else?",
            // Whether there is one at some time.
            "do you have a live agent on saturdays?",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn sixth_pass_sixth_round() {
    let wrong = misclassified(
        &[
            // 来 + a described person.
            "来个懂行的",
            // When they see it, then the act.
            "客服看到后联系我",
            // The agent's colleagues by their job.
            "交给你们负责售后的同事吧",
            // Asking someone on the customer's behalf.
            "帮我问一下你们主管",
            // Someone reading now.
            "is anyone even listening",
        ],
        &[
            // Whoever came; the customer's own colleagues.
            "昨天来的人说明天再来",
            "我跟同事商量一下再买",
            "我同事也买了这个锁",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn sixth_pass_seventh_round() {
    let wrong = misclassified(
        &[
            // Half pinyin, half Chinese.
            "转ren工",
            // A modal, someone, and guidance.
            "能不能有人手把手教我设置",
            // A wish and checking something with a person.
            "希望跟你们工作人员核实一下",
            // Vowels dropped.
            "tlk to a human",
        ],
        &[
            // A past verb just before, a past time.
            "we did speak with a supervisor, she was great",
            "I talked with an agent two days ago about this, any news?",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_chinese_classes() {
    let wrong = misclassified(
        &[
            // 给我 + a measure word + a described person.
            "给我一个说话算数的人",
            // A modal or a plea before the person acting.
            "能不能人工核实一下",
            "麻烦真人跟进一下",
            // Someone asked to act, past an adverb of time.
            "可以尽快有人联系我吗",
            "能不能有个真人帮我看看",
            // The company's people needed to step in.
            "这个必须你们的人出面",
            // A transfer whose person is named in another clause.
            "你解决不了就是要人工，给我转一下",
            // Contacting someone described by where they work.
            "麻烦联系一下仓库的人",
            // Someone found to help or look.
            "能不能安排人帮我查一下",
            // Nobody there, asked.
            "你们店里没人吗",
            // The agent's language.
            "给我转一个英文客服",
            // Whether there is someone whose job it is.
            "有专门负责售后的人吗",
            // A department or a line handed the case.
            "帮我转到售后部门",
            "帮我接通投诉专线",
            // In person, with the company.
            "我想当面和你们说清楚",
            // Any short description between 有没有 and the person.
            "有没有会员专属的客服",
        ],
        &[
            // Contacts in a list, not people asked for.
            "紧急联系人怎么设置",
            "给我个人信息页面的链接",
            // A demonstration on screen.
            "有真人演示的视频教程吗",
            // A habit for later, asked to confirm.
            "下次门锁坏了找客服就可以吧",
            // What happened after a past transfer.
            "昨天转人工排了四十分钟",
            // The process judged.
            "转人工太慢了，你先帮我查查物流",
            // Someone found for an errand, or already.
            "找人帮我搬家要多少钱",
            "上周找人看过了，还是响",
            // Only asking whether people exist, or only asking.
            "有人工吗还是只有机器人",
            "有真人吗，我随便问问",
            // A closing clause that lets it go, after "现在".
            "刚想找客服，现在不用了",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_english_and_mixed_classes() {
    let wrong = misclassified(
        &[
            // Misspelt words of talking and of the channel.
            "spek with an agent",
            "custmer suport please",
            // Someone other than the bot.
            "ok who else can I talk to",
            // Discussing with a person.
            "I'd like to discuss my bill with a supervisor",
            // Anybody home.
            "hello, anyone home?",
            // One to talk to.
            "do you have a human I could speak with",
            // A member of the team acting.
            "can a member of staff call me tomorrow",
            // English verbs before a Chinese person.
            "帮我transfer一下人工",
            "could you connect 我 to 客服",
            // An English person word after a Chinese verb.
            "给我找个person",
            "让staff帮我查一下",
            // An English modal and person, a Chinese act.
            "could someone 帮我处理一下",
        ],
        &[
            // The chat's support, a noun.
            "is the chat support open at christmas",
            // Whether people exist, set against a bot.
            "are there real agents or is it all automated?",
            "just curious, do you have human agents?",
            // No need of a person is no refusal of the bot.
            "the bot is fine, no need for an agent",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_third_round() {
    let wrong = misclassified(
        &[
            // English persons inside Chinese text, after a verb.
            "请让你们的team leader给我回电",
            "我需要someone from support帮我查一下",
            // An English description before the person.
            "帮我找一个Cantonese speaking的客服",
            // The technicians, after a verb.
            "还是转给技术处理吧",
            // A person able to act from afar.
            "你们的技术人员可以远程帮我看看吗",
            // A long description, no measure word.
            "帮我联系一下负责这个退款的客服",
        ],
        &[
            // A Chinese negation before English words.
            "不用talk to anyone，我自己看",
            // A condition with 的话.
            "联系客服的话需要订单号吗",
            // The customer's own plan.
            "I'll call support tomorrow if it still beeps",
            // Software named after the person.
            "does the agent SDK support python?",
            // A thing's details.
            "找技术参数在哪里看",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_fourth_round() {
    let wrong = misclassified(
        &[
            // A rhetorical question that nobody able is there.
            "难道就没有一个懂行的吗",
            // A complaint against the company, on its own.
            "我想投诉你们",
            "I'd like to make a complaint",
            // A modal before a bare object.
            "可否人工",
            // 转 typed as a homophone.
            "赚人工",
            // 给我 and a person, bare.
            "给我一位",
            // An English description, counted by words.
            "能不能帮我找一个会说 Cantonese 的人",
        ],
        &[
            // Someone found for an errand.
            "能找个人帮忙代收吗",
            "找个人代签可以吗",
            // Someone working on it.
            "有专人工作吗",
            // A complaint about a third party, asked how.
            "怎么投诉快递员",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_fifth_round() {
    let wrong = misclassified(
        &[
            // Who will come and help.
            "谁来管管这事",
            // Calling the person.
            "我要打给你们的售后",
            // The person stepping in.
            "真人上",
            // Whether there is one, asked with 没.
            "有人工没有",
            // 可服 for 客服.
            "可服在吗",
            // The escalation on its own.
            "escalation pls",
            // English verbs before Chinese persons.
            "能不能talk with主管",
            "cs呢",
            "可以arrange一个人跟进吗",
            // Sending the bot away.
            "机器人让开",
        ],
        &[
            // What it costs.
            "转人工收费吗",
            // Can serve, not 客服.
            "你们周末可服务吗",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_sixth_round() {
    let wrong = misclassified(
        &[
            // A real agent named in English inside Chinese.
            "live agent 在哪",
            // Technicians named in English, after a verb.
            "帮我找个 engineer 看一下",
            // The people behind the chat.
            "帮我接 live support",
            // English questions around a Chinese person.
            "where are 你们的客服",
            "is 真人 around?",
            // The act ends the clause.
            "麻烦安排人联系",
            "想要人帮忙",
            // Answer, said short.
            "客服回个话",
            // Summoning.
            "召唤真人客服",
        ],
        &[
            // Where the service is based.
            "客服在哪个城市",
            // A Chinese negation before a call-back.
            "不用 call me back，谢谢",
            // The negation before the wish.
            "我不需要人，自己能搞定",
            "我不想要 real person",
            // A bot as the alternative.
            "do you have people answering or just a chatbot?",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_seventh_round() {
    let wrong = misclassified(
        &[
            // Free now.
            "is any agent free at the moment",
            // A plain reply asked with a modal.
            "希望客服可以尽快联系",
            // English verbs and languages before a Chinese person.
            "帮我 transfer 到 Mandarin 客服",
        ],
        &[
            // A habit, not this chat.
            "I normally can't stand chatbots, this one's ok",
            // A goodbye.
            "thanks, talk to you soon",
            // The channel asked about.
            "what's the email I can use to reach an agent",
            // How, when something happens.
            "what's the best way to contact support if my lock jams",
            // Before the customer tries.
            "联系售后以前我先重启一下",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_eighth_round() {
    let wrong = misclassified(
        &[
            // Other businesses' people.
            "帮我转一下门店",
            "能不能让我的课程顾问给我回电",
            "请帮我接前台",
            "我要联系你们仓库的工作人员",
            "put me through to the front desk",
            "I'd like to speak with a consultant please",
            "could you connect me to the technician",
            "联系 branch manager",
            "帮我找 reception",
            "call 一下前台",
            // A wish before a bare object.
            "我想要人工",
        ],
        &[
            // Handled, not a handler.
            "I want the return handled today",
            // Whether it happened.
            "我的专属顾问换人了吗",
            // Places and hours.
            "营业厅几点开门",
            "门店地址在哪",
            "the front desk was very helpful",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_ninth_round() {
    let wrong = misclassified(
        &[
            // The transfer asked for, no object named.
            "赶紧帮我转一下",
            // How about, not a negation.
            "要不给我转个人工吧",
            // Stepping in, with 一下.
            "真人客服介入一下吧",
            // A rhetorical question.
            "难道就不能转人工吗",
            // A plain reply, urged.
            "客服能不能赶紧回复",
            // The person addressed with a complaint.
            "客服，我要投诉",
            // 售后 present.
            "售后在不在",
            // Speakers of a language, paged managers.
            "找个 Mandarin speaker",
            "please page the manager",
        ],
        &[
            // Where 售后 is.
            "售后在哪里修",
            // Not asking for a transfer.
            "不要给我转",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_tenth_round() {
    let wrong = misclassified(
        &[
            // Pinyin for whether they are there.
            "kefu zai bu zai",
        ],
        &[
            // Indifferent to a person.
            "人工在不在都无所谓，能解决就行",
            // The customer's plan for later.
            "我准备改天再联系客服",
            // What talking to someone costs.
            "does it cost anything to talk to a human?",
            // An aspect marker between English words.
            "我 call 过 manager 了",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_eleventh_round() {
    let wrong = misclassified(
        &[
            // Still requests: a suggestion with 还是, a condition about the bot.
            "还是给我找客服吧",
            "if you can't sort it, I'll need a manager",
        ],
        &[
            // The verb in a relative clause.
            "昨天帮我转的客服态度很好",
            // How it is done.
            "转人工要按几",
            "找客服有什么条件",
            // A choice between ways.
            "联系客服改地址还是自己在订单里改",
            // Only wanting to know.
            "我只想知道客服几点上班",
            // The customer's own plan, on a condition.
            "I'll call an agent later if it keeps beeping",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_twelfth_round() {
    let wrong = misclassified(
        &[
            // A person able to look something up.
            "人工客服可以帮我查查吗",
            // Now, not at some time.
            "现在能转人工吗",
        ],
        &[
            // When the service is there, whatever the verb.
            "晚上能转人工客服吗",
            "春节期间可以转接人工吗",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_thirteenth_round() {
    let wrong = misclassified(
        &[
            // Someone able to take a call.
            "店里有没有人能接个电话",
            // Someone able to change the customer's own time.
            "有没有客服能帮我改配送时间",
            // Asking them, wished.
            "我要问客服一件事",
            // A desk of the service; someone at its place.
            "let me talk to the reservations desk",
            "is somebody at the branch?",
        ],
        &[
            // 请问 asks the bot.
            "请问人工客服支持粤语吗",
            // The service's hours.
            "客服的服务时间是多久",
            // One of their people, at a place, described.
            "the agent at the desk was helpful",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_fourteenth_round() {
    let wrong = misclassified(
        &[
            // Northern and colloquial Chinese.
            "客服咋联系",
            "搞个人工来",
            "整一个真人给我",
            "能不能有个人理我",
            "找个人唠唠",
            // A complaints department.
            "帮我转投诉部",
            // Getting hold of someone.
            "how do I get hold of a manager right now, this is urgent",
        ],
        &[
            // The whole of something.
            "整个客服团队都很专业",
            // The customer's own colleagues.
            "I got hold of my colleague, thanks",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_fifteenth_round() {
    let wrong = misclassified(
        &[
            // Waiting for a person.
            "ok I'll wait for an agent",
            // A group's help wished for.
            "I need help from your support team",
            // English verbs after a Chinese person.
            "经理 call 我一下",
            // The company's people, wished for.
            "我想找你们的人",
        ],
        &[
            // Someone searched for, known by what they did.
            "I'm trying to find the person who delivered my parcel",
            // The bot, in a language.
            "can I talk to you in Mandarin?",
            // A past wait.
            "I waited for an agent for an hour yesterday",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_sixteenth_round() {
    let wrong = misclassified(
        &[
            // Telecom, banking and learning people.
            "麻烦联系一下我的助教",
            "柜员在不在",
            "帮我找一下大堂经理",
            "could I speak to a mortgage officer",
            "get me a store rep",
            // English transfer before a Chinese person.
            "可以 transfer 给客服吗",
        ],
        &[
            // 一下 + 班…, 营业员 are no hours.
            "联系一下班主任要多久",
            // Transfer in another sense, in a mixed clause.
            "怎么 transfer 积分",
            // A product or setting named after a person.
            "is there a live agent mode in the app",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_seventeenth_round() {
    let wrong = misclassified(
        &[
            // Connecting, said short.
            "帮我连线人工",
            "切到客服",
            // A person urged to speak up; someone asked to.
            "人工吱一声",
            "有人冒泡吗",
            // None of them there, asked.
            "经理都不在吗",
            // English channel words and a call-back inside Chinese.
            "客服 service please",
            "能 call 一下我吗",
            // "any" before a person.
            "any agents?",
        ],
        &[
            // When a call-back comes.
            "客服回电要多久",
            // A judgement.
            "客服冒个泡都这么难",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_eighteenth_round() {
    let wrong = misclassified(
        &[
            // English verbs of handing over before a person.
            "帮我 assign 一个 agent",
            "我要 report to 你们经理",
        ],
        &[
            // 不想 governs English words.
            "不想 talk to anyone 了",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_nineteenth_round() {
    let wrong = misclassified(
        &[
            // Still a request: nobody answering, and a person asked for.
            "call 了好几次没人接，帮我转人工",
        ],
        &[
            // Calls that went unanswered, reported.
            "打客服一直占线",
            // An English verb before 的: a possessive, not a call.
            "这个 app 的 page 的经理功能在哪",
            // A link to the service.
            "客服入口找不到",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_twentieth_round() {
    let wrong = misclassified(
        &[
            // Shops' people.
            "掌柜的呢",
            "店家在吗",
            "seller 呢",
            // Helping, short.
            "麻烦客服协助处理",
            // Meeting the person named elsewhere.
            "谁是负责人？我要找他",
            // A complaint with the company as its object.
            "我要投诉一下你们",
            // Shop customers' polite words.
            "客服mm呢",
            "I'd like to talk to the shop owner",
        ],
        &[
            // A seller's show, the seller's phone.
            "卖家秀不一样",
            "商家电话打不通",
            // How to complain.
            "我想投诉，怎么投诉",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_twenty_first_round() {
    let wrong = misclassified(
        &[
            // Teams of the service, named by what they do.
            "could I speak to the logistics team",
            // An English talk verb before a described Chinese person.
            "can I speak to 门店 的人",
        ],
        &[
            // The negation governs the passive.
            "I really don't want to get transferred",
            // The English reader judges an English person.
            "I'd rather not speak to a person",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn seventh_pass_twenty_second_round() {
    let wrong = misclassified(
        &[
            // English urgency after a bare Chinese person.
            "人工 urgently",
        ],
        &[
            // Urgency about something else.
            "退款 urgent 吗",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The eighth pass's classes (docs/BENCHMARKS.md, "Handoff, eighth pass"),
/// each with look-alikes of its own (none is a line of an evaluation set).
#[test]
fn eighth_pass_classes() {
    let wrong = misclassified(
        &[
            // Staff of any business, by their job, after a verb.
            "我想跟你们的前厅员工说两句",
            "麻烦让药剂师给我回个电话",
            "请安排一位健身教练联系我",
            "我要找民宿的管家",
            // The person able to talk with the customer, with a modal.
            "值班医生能跟我聊一下吗",
            // A threat with the request as its condition.
            "还不给我转客服我就差评",
            // One more of the person named before.
            "那个客服不回了，给我接一个",
            // Dialect: Cantonese and Shanghainese finding.
            "唔该揾个客服",
            // Someone's superior; one of the business's people.
            "put me through to the hotel's manager",
            "could one of your pharmacists ring me",
            "a team member please",
            // A person without vowels.
            "hmn plz",
            // Talking to someone named by their job.
            "I want to speak to a dermatologist about the rash",
            // 给个 before a described person.
            "给个懂技术的人来",
            // English job names inside Chinese, after a Chinese verb.
            "帮我联系一下 dentist",
            "让 housekeeping team 来一下",
            // A word with someone; someone put on the line.
            "could I have a word with the head chef",
            "put the duty manager on the phone",
            // A place or shift before a manager names which one.
            "fetch the pool manager please",
            // Still there, asked.
            "人工还在吗",
            // 接 before a described person; a group by its work.
            "帮我接个懂会员卡的人",
            "转到理赔组",
            // Whether one is there, said after a described person.
            "有没有酒店前台的工作人员在",
            // A complaint against this business.
            "我要投诉这家健身房",
            "I want to register a formal complaint",
            "is anybody from the pharmacy online?",
            // A job name after an English verb, inside Chinese.
            "帮我 reach 一个 pharmacist",
            // Someone's person with a word of kind between.
            "can I talk to the hotel's night manager",
            // The head of a crew or a ward; someone on duty now.
            "帮我叫一下护士长",
            "有值班保安吗",
        ],
        &[
            // Staff words without a request verb, or the customer's own.
            "员工停车场在几楼",
            "我是你们的会员，积分怎么查",
            "怎么联系快递员改地址",
            "教练跟我说的动作要领是什么",
            // A pick-up, a study group, the complaint already handled.
            "接个人去火车站多少钱",
            // A check-in counter.
            "有没有人工值机柜台",
            // A length, a parent, what it costs; a job offered.
            "找客服要多长时间",
            "要跟家长确认一下吗",
            "找私教上课多少钱",
            "你们有营养师吗",
            "你们健身房有跑步小组吗",
            "is anyone from your team coming to the open day?",
            // A manager of another kind.
            "I work as a product manager, can I expense the plan?",
            // Another business's person, quoted.
            "医生说要找客服才能退挂号费，对吗",
            // Holidays are regular times.
            "中秋节客服有人吗",
            // How a group reaches the service; a choice between ways.
            "how do passengers reach the lost luggage desk",
            "should I ask for a callback or just phone the branch?",
            // Hearsay and praise.
            "I heard that asking for a supervisor gets you a refund, true?",
            "the chatbot is not bad at all",
            // Human Resources is a department.
            "our human resources team needs an invoice",
            // Something of one of the staff.
            "one of your drivers left a parcel at the wrong door",
            // Things of the staff.
            "we want gift cards for our staff rewards",
            // Talking to a device, a visitor or the customer's own people.
            "can I talk to the courier through the tracking page",
            "I need to speak to my landlord first",
            // English job words inside Chinese, without a request.
            "nurse 给的药怎么吃",
            "我们公司的 team building 想订你们的场地",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The classes of the hand15b pass, with fresh look-alikes (none a line of
/// an evaluation set).
#[test]
fn hand15b_classes() {
    let wrong = misclassified(
        &[
            // Someone demanded to come forward and answer for the matter.
            "这件事总得有个负责人出面吧",
            "让你们店长出来给个交代",
            "somebody from the airline needs to step forward and fix this",
            "could someone at the hotel come out and talk to me",
            // Someone sent to act on the matter.
            "能不能派个人来核实一下",
            // Refusing automated answers by their form.
            "别再用自动回复应付我了",
            "我不和机器聊",
            "stop giving me scripted answers",
            "step aside, robot",
            // The person named, then the act alone, suggested.
            "客服来处理一下吧",
            "真人帮我查一下这笔扣款",
            // The owner or a department of the business.
            "帮我找一下民宿老板",
            "转到售后部门",
            "I'd like to speak to the salon owner",
            "I was charged twice and someone in accounts should look at it",
            "转给 claims department",
            // From dev2: 总该, 出来说…, someone in charge, auto-reply inside Chinese.
            "这事总该有个主管出来说明吧",
            "someone in charge has to step up here",
            "别用 auto-reply 打发我",
            "no more canned answers",
        ],
        &[
            // Done, told, asked about, or the customer's own procedure.
            "店长昨天已经出面解决了",
            "办卡需要本人出面吗",
            "应该有人出来负责吗",
            "物业说会派人来处理",
            "上次你们派来的教练很耐心",
            "the manager stepped up and sorted it, thanks",
            "do they send someone to check the meter?",
            // Not refusing: no need, a mini-program, a programmer.
            "不用机器人回复也可以",
            "别用小程序下单了，直接电话订",
            "I don't mind an auto-reply at night",
            // A question about the act; the act done.
            "人工处理需要多久",
            "客服帮我处理好了",
            // Parts, clubs and other owners.
            "我想要全部退款",
            "can I transfer the membership to the new owner?",
            "I'm the pet owner, do I need to sign?",
            // From dev2: a negated 需要, canned food, what a business does.
            "不需要你们的人出面，我自己去办",
            "do you sell canned dog food?",
            "does the gym send someone to fix the lockers?",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The classes of the hand16 pass (tenth), with fresh look-alikes (none a
/// line of an evaluation set).
#[test]
fn hand16_classes() {
    let wrong = misclassified(
        &[
            // A department of relations; whoever works at a place.
            "麻烦帮我转到公共关系部",
            "帮我联系仓库的人",
            // What the person did for the customer, before them.
            "请联系上周来安装的师傅",
            // Teachers of a school are its people.
            "请老师给我回个电话",
            // The business's people as a group, with a modal.
            "can your engineers check my line?",
            "Could your staff take care of the return?",
            // What kind of specialist; someone of a job to talk to.
            "I'd like to speak to a mortgage specialist",
            "is there a tax advisor I can talk to?",
            // Someone of a job made to act, or put on the line.
            "have an installer call me tomorrow",
            "get the duty manager on the phone",
            // From dev2: answering for it without coming out; who can decide;
            // Cantonese 俾; a crew's head; an able person described after
            // 有没有; a person teaching, with a modal; a polite condition;
            // someone of a job available to act.
            "总得有个人给我个交代吧",
            "换个能拿主意的来",
            "俾个人工我",
            "让维修队的队长联系我",
            "有没有仓库的工作人员能帮我看下",
            "可以让客服手把手教我吗",
            "it would be great if someone from your team could call me",
            "is a qualified electrician available to look at my meter?",
            // From the blind13/14 dev splits: one of a kind of specialists.
            "can I chat with one of your kitchen designers",
            // From dev3: an office or a counter of the service; a place's
            // person after 让; a follow-up call; a department's job; the
            // business's team made to act; able, past the group; an
            // English talk verb after 跟; a complaint, then the request.
            "帮我接一下财务处",
            "转人工窗口",
            "让仓库的工作人员联系我",
            "麻烦安排电话回访",
            "I need a billing specialist",
            "I'd like your support team to look into it",
            "is anyone from the sales office available to chat?",
            "我想跟顾问 speak 一下",
            "I've got a complaint about the sofa and I want a manager",
            // From dev4: an officer named X官; talking face to face; the
            // person of the customer's account; a conversation booked.
            "我想跟审核官当面说清楚",
            "能跟你们的人面聊一下吗",
            "put me through to my policy's adviser",
            "can I book a video call with one of your designers",
            // From dev5: people by role, described; the one handling the
            // case; the matter handed to or talked over with someone of a
            // job; talking to a team of some kind; a place named in
            // English before 的.
            "我要跟审批人员当面谈",
            "帮我找一下经办人",
            "please forward my case to a loss adjuster",
            "I'd like to discuss the invoice with your tax adviser",
            "any chance of speaking to the renewals team",
            "帮我联系 warehouse 的人",
            // From dev6: dispatchers and the service's centres; a brief word.
            "帮我转调度",
            "接一下客服中心",
            "could I have a brief word with the site manager",
        ],
        &[
            // A mention, a quotation, a place.
            "营业厅的人很热情，谢谢",
            "孩子的老师说下周考试",
            "公关部在哪个城市",
            // A device, a past visit, a delivery, someone else's job.
            "is there a printer I can connect to in the branch?",
            "I had a technician check it last year",
            "Can your team ship it by Friday?",
            "Could your technician take the old sofa away?",
            "I want a plumber recommendation",
            "can I talk to a police officer through the app?",
            // From dev2: a queue that is long, a teacher who taught, a
            // tutor at regular times, a past explanation.
            "排队长不长啊",
            "客服上次教我的方法没用",
            "is a tutor available to help on weekends?",
            "他们已经给我说法了",
            // From the blind13/14 dev splits: when they are online; a
            // cheaper plan is no person.
            "真人客服 online 的时间是什么",
            "can I move to one of your cheaper plans",
            // From dev3: places and uses ending in 处, a window period,
            // an English negation before an English verb, someone else's
            // tradesman, a complaint about a third party.
            "这样做有什么好处",
            "退货窗口期是几天",
            "no need 客服 了",
            "I need a plumber to check the pipes first",
            "I have a complaint about the courier, he was late",
            // From dev4: official channels, organs and judges; a booking
            // of a delivery slot.
            "找官网客服入口在哪",
            "我想跟法官说",
            "can I book a delivery slot with the courier",
            // From dev5: the role without a verb; a form's field; the
            // matter passed to the bot; someone of an English place,
            // reported.
            "审批人员一般几天给结果",
            "经办人签名写在哪",
            "can you pass this to the bot again",
            "billing 的人说已经退了",
            // From dev6: what a dispatcher said; a centre's hours; a word
            // of a dictionary.
            "调度说师傅明天到",
            "服务中心几点关门",
            "what does the word with mean here",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn hand17_classes() {
    let wrong = misclassified(
        &[
            // From dev1-dev2: Cantonese function words; the internet 有木有;
            // booking a talk with someone of the business; a line of the
            // service, described; anyone of a job able to act, after
            // 有没有; a place of four characters before 的; an English
            // office after a Chinese verb; a job asked with a modal to act
            // on the customer's matter; someone of a group there now; a
            // request verb mistyped.
            "唔该搵个经理同我倾",
            "你哋有冇客服",
            "有木有人工",
            "可以帮我约一下客户经理吗",
            "我想预约专属顾问",
            "帮我转到退款专线",
            "有没有药师可以帮我看看这个处方",
            "请联系售票窗口的工作人员",
            "找一下失物招领处的保安",
            "帮我 call 一下 service desk",
            "could a loan officer go over my statement with me",
            "is somebody from the parking office around?",
            "please conect me to an agent",
            "transfr me to a human",
            // From dev3 and the blind15-17 dev splits: 过 starting a word
            // (过期) is no experience; an English verb, 我 and 到; the agent
            // of a live chat; an English word of kind before an English
            // person; a talk by video after the person.
            "我想跟客服聊聊过期的优惠券",
            "connect 我到客服",
            "put me through to a live chat rep",
            "跟 billing supervisor 说一下",
            "能跟顾问视频沟通吗",
            // From dev4: a person who knows the matter; someone of a job
            // free to act; answers wanted from a person; the business's
            // branch with a talk verb; an English verb with 去 before a
            // place's staff.
            "帮我找个熟悉退税流程的专员",
            "is a nurse free to talk me through the results?",
            "I need a proper explanation from your manager",
            "can you put me in touch with the branch",
            "帮我 transfer 去 billing 的 staff",
            // From dev5: someone of a place addressed with 麻烦 to do
            // anything for the customer; someone described by their duty
            // made to act; a listed word describing a centre after a verb;
            // a question inside the matter checked; someone in a group of
            // plain words asked to reach the customer.
            "麻烦档案室的老师帮我盖个章",
            "请让负责报销的人联系我",
            "帮我接技术服务中心",
            "我要找客服确认一下这笔钱是不是退了",
            "could someone in student finance call me",
            // From dev6: a time set with someone to talk; 转去; someone
            // from a group named by one plain word; "do you have someone
            // … I could talk to".
            "想约个时间跟你们的理财顾问聊一下",
            "帮我转去客服",
            "someone from accounts, please",
            "do you have somebody I can talk to about this",
        ],
        &[
            // Their look-alikes: a booking of a doctor; a contract; the
            // number of a line; a job offered as a service; a job's act
            // that is a service described; someone there at regular times.
            "我想预约周五的牙科医生",
            "签约顾问有提成吗",
            "退款专线号码多少",
            "你们有没有营养师",
            "can a mechanic rotate the tyres while I wait?",
            "is anyone from the leasing office around on weekends?",
            "佢话你哋冇人工",
            // Their look-alikes: a transfer declined; a delivery's man; a
            // number asked; a price for a person.
            "不要转接，我自己查",
            "派件的师傅几点到",
            "打过来的是哪个号",
            "are there extra charges for a human translator?",
            // Their look-alikes: the price of talking to someone; a reply
            // from someone, reported; a branch's hours.
            "does it cost anything to speak to an agent?",
            "I got an answer from your manager yesterday",
            "what time does the branch open",
            // Their look-alikes: a centre asked where; someone in a group
            // reported; a duty described without an act.
            "技术服务中心在哪",
            "someone in student finance called me yesterday",
            "负责报销的人是谁",
            // Their look-alikes: a person declined after "rather … than";
            // a time asked; someone from a group, reported.
            "I'd rather wait for the email than talk to an agent",
            "客服的上班时间是几点",
            "someone from accounts emailed me",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The twelfth pass's classes (hand18), each with fresh look-alikes
/// (never a line of an evaluation set).
#[test]
fn hand18_classes() {
    let wrong = misclassified(
        &[
            // A short English-led call after a Chinese statement and a
            // space; a greeting after a bare call; 同学 of the business's
            // side; a described person asked with 有没有 whose description
            // is English words; 明白人; 二手 inside a description; a group
            // named by two words joined by "and".
            "退款一直没到 pls 客服",
            "页面一直转圈 agent",
            "转人工 hi",
            "帮我叫一下审核的同学",
            "有没有Spanish speaking的客服",
            "找个明白人来说说",
            "安排个懂二手房的经理跟我谈",
            "can I speak with your sales and billing team",
            // From dev4: the platform's own service (平台 / 官方 before
            // 客服); 你们的 before an English job; a real person reading,
            // there now; a job put on the customer's matter.
            "麻烦转官方客服",
            "can I chat with 你们的 designer",
            "is a real human reading this",
            "need a technician on it asap",
            // From dev5: a department by its short name after a verb; an
            // English greeting before Chinese; "where r u" after a Chinese
            // person; "double check"; a past-tense act in a polite "if".
            "can I talk to 法务",
            "hello 客服在吗",
            "客服 where are you",
            "could one of your mechanics double check the brakes on my car",
            "it would be great if someone from support emailed me",
            // From dev6: a person come to judge or come over; "forward 给"
            // an English team; English jobs inside Chinese; whether one is
            // there, asked in Chinese after an English call.
            "这个得经理来决定吧",
            "维修师傅可以过来一趟吗",
            "帮我 forward 给 billing team",
            "找一下你们的 planner",
            "支付失败 human 在吗",
        ],
        &[
            // Their look-alikes: a statement ending in 的 / 个 / 像 before the
            // English word; a classmate; a store's staff asked about; a price
            // closed by "free"; a group reported.
            "我哥是你们的 agent",
            "你们 app 讲话像 human",
            "我想找同学一起报名",
            "does your branch have staff who can fix screens",
            "is a callback from an agent free or paid",
            "the sales and billing team emailed me yesterday",
            // Their look-alikes: the platform's service asked about; 你们的
            // job reported; a person reading stored data; a job on a thing.
            "官方客服几点下班",
            "你们的 designer 昨天来过了",
            "is a real person reading my location history",
            "I need a technician on the roof to check the panels",
            // Their look-alikes: the department's papers; a greeting
            // before a question about the service; a person who acted,
            // reported.
            "财务报表在哪里下载",
            "hi 客服几点上班",
            "someone from support emailed me yesterday",
            // Their look-alikes: a machine judging; a job reported; a
            // courier's visit.
            "人工智能来判断准不准",
            "我们公司的 engineer 已经看过了",
            "快递员能来一趟吗",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The thirteenth pass's classes (branch hand19), each with fresh
/// look-alikes (no line of an evaluation set).
#[test]
fn hand19_classes() {
    let wrong = misclassified(
        &[
            // A visit asked for (安排 / 派 / 预约 + person + 上门), also of a
            // person described by a place; the business's people needed to
            // act; a pronoun for whoever is in charge; someone called to
            // come; a person to talk with the customer, wished; a call
            // asked as 来个电话.
            "能帮我安排个维修师傅上门检查一下吗",
            "预约一下上门测量，下周二下午",
            "请安排物业的维修人员上门一趟",
            "这事还得你们那边的同事来核实",
            "谁负责发票的？让他联系我",
            "喊个人来帮我搬一下",
            "最好有个专人跟我沟通一下",
            "让前台给我来个电话",
            // English: a call or a visit from a job, wished or booked; a
            // pronoun for whoever handles the matter; "too" for "to"; a
            // job fetched ("get me a …").
            "I'd appreciate a call from one of your advisors",
            "could I schedule a visit from a technician this week",
            "Whoever handles refunds, I'd like to talk to them",
            "can i talk too someone about my bill",
            "get me a billing specialist",
            // From dev3 and dev4: someone found, sent for or wished to act
            // (找个人帮我, 派个人来, 有人给个说法, 希望有工作人员能…); desks and
            // heads after a verb; 上面 after a verb; a visit of a person
            // described by a job's last character; a tech; "in touch with"
            // a job; a call with a job; who could act for me; the matter
            // clarified with a person; a visit arranged.
            "辛苦找个人帮我查一下物流",
            "能帮我联系一下服务台吗",
            "我要求和你们的科室主任通话",
            "赶紧派个人来",
            "必须有人给我个说法",
            "希望有工作人员能联系我",
            "麻烦安排物业水工上门",
            "帮我反映给上面",
            "Could a tech check my router?",
            "Please put me in touch with the nurse who saw me",
            "I'd like a call with a mortgage advisor",
            "who could sort my refund",
            "I need to clarify the charge with a real person",
            "Please arrange for a plumber to come out today",
            // From dev5: "a buzz" for a call; a visit said as a phrasal
            // verb before the act; "be able to" after the modal; 请 / 让 /
            // 叫 someone to come.
            "could you give me a buzz tomorrow morning",
            "would somebody be able to swing by and check the smoke alarm",
            "能不能请工作人员上门帮我装一下",
        ],
        &[
            // Their look-alikes: a visit's price, its hours, declined; the
            // escalation's rules; 请问 before staff asked about; a past
            // contact; a channel the business offers; who someone is; the
            // bot as the alternative.
            "维修师傅上门要另外收费吗",
            "安装师傅一般几点上门",
            "我不需要安排人上门，寄回去修就行",
            "投诉升级的标准是什么",
            "请问你们的教练有证书吗",
            "之前联系过你们经理，他说下周发货",
            "你们有微信客服吗",
            "店长是哪位？我想写封表扬信",
            "你们有人工的吗，还是都靠机器回答",
            // English: how escalation works; what happens around an event;
            // a job someone would have; someone of the customer's brought
            // along; a visit's length asked; a past talk reported.
            "how do refunds get escalated",
            "will someone call me when the parts arrive",
            "my daughter wants to be a flight attendant",
            "can I bring my husband with me to the consultation",
            "how long does a visit from an engineer usually take",
            "I spoke to whoever was in charge last time and they were nice",
            // Their look-alikes: someone found for something else; a desk's
            // hours; how long a visit takes; a complaint doubted; who
            // could be asked; a courier arranged; a matter settled before.
            "找个人拼车靠谱吗",
            "服务台几点关门",
            "派人过来要多久",
            "我想投诉，不知道有没有用",
            "who could I ask about points",
            "how do I arrange for a courier to collect it",
            "I confirmed the address with the courier already",
            "I want to complain but it won't make any difference",
            // Their look-alikes: how the customer does it alone; two
            // channels compared; a visit declined; a courier's pick-up;
            // availability at regular times.
            "how can I reset the router myself",
            "is live chat the same as phone support?",
            "我不想让人上门，自己寄回去可以吗",
            "让快递员上门取件就行吗",
            "will someone be able to look at it on weekends?",
        ],
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}
