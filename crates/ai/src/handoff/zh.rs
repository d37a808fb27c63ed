//! The Chinese half of the grammar: word lists (objects, request verbs,
//! fillers, negations, compounds, homophones) and the clause reader.
//! Over ~500 lines because of the lists: one entry per line keeps each
//! word reviewable and its reason (a comment) beside it.

use super::*;

/// Pinyin-input homophones of 人工 and 客服 (same syllables, wrong characters).
pub(super) const ZH_HOMOPHONES: &[(&str, &str)] = &[
    ("人攻", "人工"),
    ("人宫", "人工"),
    ("人公", "人工"),
    ("仁工", "人工"),
    // 认工 and 人功 are no words of their own: only typos of 人工.
    ("认工", "人工"),
    ("人功", "人工"),
    // 人共 is also 人 + 共 (个人共享): only right after a request verb.
    ("转人共", "转人工"),
    // 转 typed as a homophone: 砖人工, 赚人工 (专人工 in [`super::normalize`]:
    // 专人工作 is a word).
    ("砖人工", "转人工"),
    ("赚人工", "转人工"),
    ("传人工", "转人工"),
    ("找人共", "找人工"),
    ("要人共", "要人工"),
    ("接人共", "接人工"),
    ("人共客服", "人工客服"),
    ("客服务", "客服"),
    ("刻服", "客服"),
    ("课服", "客服"),
    // Half pinyin, half Chinese: 客fu, ke服, 人gong, ren工.
    ("客fu", "客服"),
    ("ke服", "客服"),
    ("人gong", "人工"),
    ("ren工", "人工"),
    // Cantonese 揾 (find) and 唔该 (please); Shanghainese 寻个 (find one)
    // and 阿拉 (we): 帮我揾个真人, 阿拉要寻个真人讲讲.
    ("揾", "找"),
    // Cantonese 俾 / 畀 (give): 俾个真人我.
    ("俾", "给"),
    ("畀", "给"),
    ("唔该", "谢谢"),
    ("寻个", "找个"),
    ("寻一个", "找一个"),
    ("阿拉", "我们"),
];

/// Cantonese function words, written as Mandarin so that the grammar's
/// verbs, negations and questions read them: 搵 (find, also written 揾),
/// 有冇 / 冇 (have not), 睇 (look), 哋 (plural), 啲 (some), 唔 (not), 嘅
/// (的), 咗 (了), 佢 (he / she), 係 (is); 同 stays 同 (with): 你哋有冇人可以
/// 帮我睇下, 搵个职员同我讲啦. Also the internet spelling 有木有 / 木有.
/// Applied after [`ZH_HOMOPHONES`] (唔该 first), only to text that has
/// one of [`ZH_CANTONESE_CHARS`].
pub(super) const ZH_CANTONESE: &[(&str, &str)] = &[
    ("搵", "找"),
    ("有冇", "有没有"),
    ("冇", "没"),
    ("睇", "看"),
    ("哋", "们"),
    ("啲", "些"),
    ("唔", "不"),
    ("嘅", "的"),
    ("咗", "了"),
    ("佢", "他"),
    ("係", "是"),
    ("有木有", "有没有"),
    ("木有", "没有"),
];

/// The characters of [`ZH_CANTONESE`]'s words (one look before the list).
pub(super) const ZH_CANTONESE_CHARS: &[char] = &[
    '搵', '冇', '睇', '哋', '啲', '唔', '嘅', '咗', '佢', '係', '木',
];

/// Pinyin (and pinyin initials) of the request words, typed without
/// switching the input method: "zhuan rengong", "转rengong", `zrg`, `kf`.
/// Replaced only as whole Latin words; longest first.
pub(super) const ZH_PINYIN: &[(&str, &str)] = &[
    ("zhuan ren gong", "转人工"),
    ("zhuanrengong", "转人工"),
    ("zhao ren gong", "找人工"),
    ("zhaorengong", "找人工"),
    ("ren gong ke fu", "人工客服"),
    ("rengongkefu", "人工客服"),
    ("ren gong", "人工"),
    ("rengong", "人工"),
    ("zhen ren", "真人"),
    ("zhenren", "真人"),
    ("ke fu", "客服"),
    ("kefu", "客服"),
    // Who is asked for, and the wish before it ("wo yao zhao jingli").
    ("jing li", "经理"),
    ("jingli", "经理"),
    ("zhu guan", "主管"),
    ("zhuguan", "主管"),
    ("ling dao", "领导"),
    ("lingdao", "领导"),
    ("huo ren", "活人"),
    ("huoren", "活人"),
    ("wo yao", "我要"),
    // "ren gong ke fu zai ma": whether they are there.
    ("zai bu zai", "在不在"),
    ("zai ma", "在吗"),
    ("zaima", "在吗"),
    ("wo xiang", "我想"),
    ("zhuan", "转"),
    ("zhao", "找"),
    // The measure word between them: "zhao ge ren gong".
    ("ge", "个"),
    ("rgkf", "人工客服"),
    ("zrg", "转人工"),
    ("zkf", "转客服"),
    ("rg", "人工"),
    ("kf", "客服"),
];

/// Long pinyin words whose one-letter slips are typos of them ("renggong",
/// "zhuanrengon"): short ones have too many neighbours.
const ZH_PINYIN_FUZZY: &[(&str, &str)] = &[
    ("zhuanrengong", "转人工"),
    ("zhaorengong", "找人工"),
    ("rengongkefu", "人工客服"),
    ("rengong", "人工"),
];

/// `text` with whole-word pinyin of the request words written in Chinese.
pub(super) fn zh_pinyin(text: &str) -> String {
    let mut out = text.to_owned();
    // One slip in a long pinyin word: the word.
    if out.bytes().any(|b| b.is_ascii_lowercase()) {
        let slips: Vec<(String, &str)> = out
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.len() >= 6)
            .filter_map(|w| {
                ZH_PINYIN_FUZZY
                    .iter()
                    .find(|(p, _)| {
                        *p != w
                            && w.len().abs_diff(p.len()) <= 1
                            && crate::knowledge::edit_distance(w, p) <= 1
                    })
                    .map(|(_, zh)| (w.to_owned(), *zh))
            })
            .collect();
        for (slip, zh) in slips {
            out = out.replace(&slip, zh);
        }
    }
    for (pinyin, word) in ZH_PINYIN {
        let mut from = 0;
        while let Some(at) = out[from..].find(pinyin).map(|a| a + from) {
            let end = at + pinyin.len();
            let before_ok = !out[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            let after_ok = !out[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            if before_ok && after_ok {
                out.replace_range(at..end, word);
                from = at + word.len();
            } else {
                from = end;
            }
        }
    }
    out
}

/// Persons asked for only after a request verb, checked before
/// [`ZH_OBJECTS`] (客服同事 before 客服, 负责的同事 before 负责的).
pub(super) const ZH_VERB_ONLY_PERSONS: &[&str] = &[
    // Colleagues of the agent, named as such: 请你们相关负责的同事处理,
    // 你们的技术同事.
    "负责的同事",
    "相关同事",
    "你们同事",
    "你们的同事",
    "技术同事",
    "售后同事",
    "客服同事",
    // The shop's owner: 跟店主聊聊.
    "店主",
    "掌柜的",
    "掌柜",
    // Shops' people: 卖家在吗, 商家在不在, seller 在吗.
    "卖家",
    "商家",
    "店家",
    "seller",
    // "反映给上面的人", "交给上头的人": whoever is above, described.
    "上面的人",
    "上头的人",
    "上边的人",
    // "帮我反映给上面": whoever is above, said short after a verb.
    "上面",
    "上头",
    // Someone with a skill: 升级给专家, 让懂技术的师傅来.
    "专家",
    "师傅",
    // The department by its function: 找技术支持.
    "技术支持",
    // 同事 of the agent's ("转给专门负责退款的同事"): see [`zh_clause`] for
    // the customer's own colleagues.
    "同事",
    // 同学, what platforms call their staff ("让运营的同学看一下"); like
    // 同事 only when the business's side is named (a bare 同学 is the
    // customer's classmate: 想找同学一起学).
    "同学",
    // 叫个明白人来: someone who understands, a person by what they know.
    "明白人",
    // Departments by their short names, after a verb: 转风控, "speak to
    // 风控", 让财务联系我.
    "风控",
    "法务",
    "财务",
    // The management: 让你们管理层出来.
    "管理层",
    "管理人员",
    "高层",
    // People by their role: 安排专业人员与我联系.
    "人员",
    // Engineers and technicians: 找个售后工程师.
    "工程师",
    "技术员",
    // A department or a line, handed the case: 转交给相关部门, 接通投诉专线.
    // English persons inside Chinese text, after a verb only: 让你们的
    // team lead联系我, 我需要someone from billing帮我看下.
    "team leader",
    "team lead",
    // "可以找 technician 帮我看看吗".
    "technician",
    "engineer",
    // Other businesses' people, in English: 我要找 front desk, 让
    // installer 联系我, 我的 account manager 在吗.
    "english speaker",
    "chinese speaker",
    "mandarin speaker",
    "account manager",
    "store manager",
    "branch manager",
    "front desk",
    "reception",
    "consultant",
    "installer",
    "advisor",
    // Other businesses' people: advisors, the front desk, the store.
    "课程顾问",
    "专属顾问",
    "销售顾问",
    "顾问",
    "前台",
    "门店",
    "店员",
    "营业员",
    "柜员",
    "业务员",
    "班主任",
    "助教",
    "理财经理",
    "大堂经理",
    "someone",
    "somebody",
    "staff",
    "相关部门",
    "投诉部门",
    "投诉部",
    "客服部门",
    "客服部",
    "部门",
    "投诉专线",
    "专线",
];

/// Person objects, longest first (a longer one wins at the same place).
pub(super) const ZH_OBJECTS: &[&str] = &[
    "人工客服",
    "人工服务",
    "真人服务",
    "人工坐席",
    "人工座席",
    "真人客服",
    "在线客服",
    "客服人员",
    "客服专员",
    "客服代表",
    // The customer's representative at the business: 安排客户代表跟我对接.
    "客户代表",
    "接线员",
    "话务员",
    "售后人员",
    "工作人员",
    "值班人员",
    "专人",
    "值班的",
    "管事的",
    "负责的",
    "服务人员",
    "技术人员",
    "维修人员",
    "负责人",
    "值班经理",
    // Whoever is above the agent: 找你们上级, 叫你上司来.
    "上级",
    "上司",
    "人工",
    "客服",
    "真人",
    "活人",
    "经理",
    "主管",
    "专员",
    "领导",
    "人类",
    "老板",
    "店长",
    "小二",
    "售后",
    // 转给技术: the technicians, after a verb only (技术人员 first).
    "技术",
];

/// Objects that are a request only after a request verb (a bare "售后" or
/// "经理" is a topic, not a call for someone).
pub(super) const ZH_VERB_ONLY: &[&str] = &[
    "客户代表",
    "技术",
    "售后",
    "专人",
    "值班的",
    "管事的",
    "负责的",
    "老板",
    "店长",
    "经理",
    "主管",
    "领导",
    "负责人",
    "专员",
    "人类",
    "上级",
    "上司",
];

/// Characters that, right after an object, make it part of another word
/// (人工智能, 人工费, 人工湖, 真人秀, 客服电话, 专员…岗位): the object is
/// then not a person being asked for.
pub(super) const ZH_COMPOUND_NEXT: &[char] = &[
    '智', '费', '成', '材', '合', '养', '种', '湖', '降', '草', '耳', '关', '造', '呼', '授', '繁',
    '培', '饲', '秀', '版', '尺', '电', '号', '热', '邮', '中', '工', '岗', '职', '招', '系', '机',
    '审', '核', '鉴', '检', '干', '翻', '标', '智', '降', '增', '皮', '革', '石', '钻', '晶', '花',
    '香', '色', '甜', '味', '肉', '心', '脑', '网', '政', '期', '流', '单', '服',
];

/// Words that, right after an object, make it part of another word where
/// the first character alone does not (客服问题 is a topic, 客服问问 a
/// request; 真人照片 a picture).
pub(super) const ZH_COMPOUND_NEXT_WORDS: &[&str] = &[
    "问题",
    "问卷",
    "问答",
    "照片",
    "照",
    "聊天记录",
    "对话记录",
    "记录",
    // 真人 as a modifier: a real voice, a real-person video.
    "发音",
    "配音",
    "语音",
    "声音",
    "视频",
    "图片",
    "演员",
    // A visit or a job, not a conversation: 安排师傅上门, 叫师傅来修.
    "上门",
    "的方式",
    "的渠道",
    "的方法",
    "安装",
    "维修",
    "来装",
    "来修",
    "装",
    "修",
    // 专家模式: a feature; 门店地址: a place; 客服入口: a link.
    "模式",
    "入口",
    "地址",
    "位置",
    // 技术参数: a thing's details.
    // 人工值机: a check-in counter (值班 is someone on duty).
    "值机",
    "参数",
    "规格",
    "细节",
    "文档",
    "原理",
    // 真人演示的视频: a demonstration, someone on screen.
    "演示的",
    "演示视频",
    "出镜",
    "模特",
];

/// Request verbs: something is asked of the service (转人工, 找客服, 叫经理).
pub(super) const ZH_VERBS: &[&str] = &[
    // English verbs before a Chinese object: "I want 人工", "talk to 客服".
    "i want",
    "i need",
    "want",
    "need",
    "get me",
    "find me",
    "gimme",
    "bring me",
    "let me talk to",
    "looking for",
    "find",
    "get",
    "give me",
    "talk to",
    "speak to",
    "transfer to",
    "transfer me to",
    "connect me to",
    "connect to",
    "speak with",
    "talk with",
    "chat with",
    "arrange",
    // "请 assign 一个客服给我", "我要 report 给你们 manager".
    "assign",
    "report 给",
    "report给",
    "report to",
    // "call 一下门店", "page 一下 manager".
    "call",
    "page",
    // "我想直接打电话给你们的人工".
    "打电话给",
    "打给",
    // "can you transfer 我 to 人工", "帮我connect一下客服".
    "transfer 到",
    "transfer 去",
    // 转去人工服务: transferred to (Cantonese and colloquial).
    "转去",
    "transfer去",
    "transfer到",
    "transfer给",
    "transfer 给",
    "transfer我到",
    "transfer 我到",
    "transfer 我 到",
    "connect 到",
    "connect我到",
    "connect 我到",
    "connect 我 到",
    // "帮我 forward 给 refund team": handed on, said in English.
    "forward 给",
    "forward给",
    "forward to",
    "transfer 我 to",
    "transfer我to",
    "connect 我 to",
    "connect我to",
    "put 我 through to",
    "connect",
    "transfer",
    "escalate to",
    "escalate",
    "contact",
    "reach",
    // Escalating: 升级到主管, 上报给经理, 交给专员.
    "升级到",
    "升级给",
    "升级",
    "上报给",
    "上报",
    "提交给",
    "交给",
    // Waiting for one: 在线等人工, 等客服.
    "等待",
    "等",
    // Begging for one: 求人工, 求求你们给个客服.
    "求助",
    // Asking someone on the customer's behalf: 帮我问问你们经理.
    "问问",
    "问一下",
    "求",
    // Seeing one: 我要见你们负责人.
    "见",
    "投诉到",
    "投诉给",
    "反馈给",
    "反馈到",
    "汇报给",
    "反映给",
    "请求",
    "转接",
    "转到",
    "转给",
    "联系",
    "联络",
    "咨询",
    "呼叫",
    "召唤",
    // Connecting, said short: 连线客服, 切人工, 请出你们经理.
    "连线",
    "切到",
    "切",
    "请出",
    // "我想问人工几个问题": asking them, wished (not 请问).
    "想问",
    "要问",
    "需要",
    "换成",
    "换个",
    "切换",
    "接通",
    "要求",
    "申请",
    // Booking a talk with someone: 帮我约一下理财顾问, 预约客户经理 (see
    // [`zh_books_talk`] for what may be booked).
    "预约",
    "约",
    "安排",
    "派",
    "转",
    "找",
    "接",
    "叫",
    "要",
    "让",
    "换",
    "请",
    "喊",
    "和",
    "跟",
    "同",
    "与",
    "给我",
];

/// What a person object may be asked to do for the customer ("让专员联系我").
pub(super) const ZH_OBJECT_ACTS: &[&str] = &[
    "联系我",
    "回复我",
    "回我",
    "帮我看",
    "看一下",
    "跟进",
    "回电",
    "打给我",
    "给我打",
    "来处理",
    "来跟我",
    "来和我",
    "处理一下",
    "请回复",
    "快回复",
    "回复一下",
    // "人工客服协助一下".
    "协助",
    // "得人工来判断", "管家能来一趟吗": come to judge, or come over.
    "来判断",
    "来决定",
    "来审核",
    "来确认",
    "来评估",
    "来一趟",
    "过来一趟",
    // Urged to speak up: 客服说句话, 客服冒个泡, 有人吱个声.
    "说句话",
    "吱个声",
    "吱一声",
    "冒个泡",
    "冒泡",
    "出个声",
    "露个面",
    // English verbs after a Chinese person: 客服 contact 我一下.
    "contact 我",
    "contact我",
    "call 我",
    "call我",
    // "人工客服麻烦回一下", "人工客服介入一下".
    "回一下",
    "介入",
    "回个话",
    "出来",
    "过来",
    "来一下",
    "接我",
    "帮我看看",
    "帮我看一下",
    "帮我查一下",
    // "在线客服能帮我查下吗".
    "帮我查下",
    "帮我查查",
    "帮忙查",
    "帮帮我",
    // Coming to answer: 真人来解答, 客服来解决.
    "来解答",
    "来回答",
    "来解决",
    "来帮我",
    "来看看",
    "来说",
    // Whoever reads this: 工作人员看到回复一下.
    "看到回复",
    "看到后回复",
    "看到请回复",
    "看到联系我",
    // Reaching out by another channel: 客服加我微信, 发邮件给我.
    "加我",
    "私信我",
    "发邮件给我",
    "给我发邮件",
    "邮件联系我",
    "发短信给我",
    "给我发短信",
    "电话联系我",
    "打电话给我",
    "给我打电话",
    "回个电话",
    "给我回电话",
    "来电",
];

/// Verbs that take a plain 人 ("找个人来", "换个人", "找一个能负责的人").
/// Handing the case on counts too: 交给你们的人, 反映给懂行的人.
pub(super) const ZH_PERSON_VERBS: &[&str] = &[
    "找",
    "换",
    "叫",
    "要",
    "派",
    "安排",
    "让",
    "请",
    "交给",
    "转给",
    "反映给",
    "升级给",
    "提交给",
    // "给我来个会说人话的": only with a described person (来的人 is
    // whoever came).
    "来",
    // "帮我联系一下门店的人": only a described person (联系人 is a
    // contact in a list).
    "联系",
    "联络",
    "转交给",
    // "帮我接个懂业务的人": only a described person (接个人去机场 is a
    // pick-up).
    "接",
    // English verbs before a Chinese measure word: arrange个人跟我联系;
    // before a described person: "can I talk to 仓库 的人".
    "talk to",
    "speak to",
    "talk with",
    "speak with",
    "arrange",
    "find",
    "get me",
    // "给我个能做主的人": only a measure word and a description.
    "给我",
];

/// Words that may stand between a verb and its object (一个, 你们的, 真正的…).
pub(super) const ZH_FILLERS: &[&str] = &[
    "一下",
    "一个",
    "一位",
    "个",
    "位",
    "名",
    "你们",
    "您们",
    "你们的",
    "你们家",
    "你们店",
    "贵公司",
    "公司",
    "店里",
    "店铺",
    // The platform's own service, not a shop's: 找平台客服, 官方客服.
    "平台的",
    "平台",
    "官方的",
    "官方",
    "商城",
    "的",
    "真正的",
    "活的",
    // What kind of agent: 专属客服, 资深的专员, 客户经理, 销售经理,
    // 相关负责的同事.
    "相关的",
    "相关",
    "客户",
    "销售",
    "技术",
    "专属",
    "专业的",
    "专业",
    "资深的",
    "资深",
    "高级",
    "专门",
    "售后",
    "值班",
    "上级",
    "我",
    "给我",
    "帮我",
    "为我",
    "下",
    "来",
    "过来",
    "对接",
    "一",
    "点",
    "真的",
    "在线",
    "店",
    "你",
    "您",
    // The agent's language: 我要一个中文客服.
    "中文",
    "英文",
    "普通话",
    "english",
    "chinese",
    // Which one: 联系 store manager.
    "store",
    "shop",
    "branch",
    "mandarin",
    "cantonese",
    // English adjectives before a Chinese object: 找个 real 客服.
    "real",
    "live",
    "actual",
    // Articles before a Chinese object: "find me a 真人".
    "a",
    "an",
    "the",
];

/// Clause words that may surround a bare object ("人工！", "我要真人啊").
pub(super) const ZH_POLITE: &[&str] = &[
    "请",
    "麻烦",
    "谢谢",
    "我",
    "吧",
    "啊",
    "呀",
    "吗",
    "呢",
    "了",
    "哈",
    "嘛",
    "快",
    "快点",
    "赶紧",
    "马上",
    "立刻",
    "现在",
    "服务",
    "您好",
    "你好",
    "在吗",
    "喂",
    "帮忙",
    "直接",
    "还是",
    "好吗",
    "可以吗",
    "行吗",
    "嗯",
    "哦",
    "好",
    "的",
    // Longer forms first: the first word that matches is stripped.
    "怎么转",
    "怎么找",
    // Northern and colloquial: 人工咋找.
    "咋找",
    "咋转",
    "咋联系",
    "在哪里找",
    "在哪找",
    "哪里找",
    "怎么联系",
    "在哪里",
    "在哪",
    "去哪了",
    "在不在",
    "你们",
    "有吗",
    "可以",
    "能不能",
    "可不可以",
    // "能人工吗", "可否人工", "我想人工".
    "想要",
    "想",
    "能否",
    "可否",
    "能",
    "小姐姐",
    "小哥哥",
    "妹妹",
    "姐姐",
    "小妹",
    "帅哥",
    // English politeness in Chinese text: "人工 plz".
    "please",
    "pls",
    "plz",
    "thanks",
    "thx",
    "asap",
    // "human 客服 where", "人工 now", "人工 support please".
    "where",
    "support",
    "service",
    "now",
    "妹子",
    // "客服mm在吗", "客服 urgent".
    "mm",
    "urgent",
    "urgently",
    // Urgency and help in English or Chinese: "客服 please help", "human pls 急".
    "help me",
    "help",
    "急急急",
    "很急",
    "挺急的",
    "着急",
    "急",
    "在线等",
    "小哥",
    "美女",
    "亲",
    "介入",
    "帮忙",
    "呗",
    "人呢",
    "请问",
    // Whether one is there now: 客服在线吗.
    "在线",
    // Either will do: "人工 agent 都行".
    "都行",
    "都可以",
    "也行",
];

/// Negations that, right before the verb, decline ("不用转人工").
pub(super) const ZH_NEG_BEFORE: &[&str] = &[
    "不用",
    "不需要",
    "不要",
    "不想",
    "不必",
    "无需",
    "没必要",
    "别",
    "不",
    "用不着",
    // Not planning to: 没打算转人工.
    "没打算",
    "不打算",
    "没想",
    "并不想",
    // English negations before a Chinese verb: "no need 转人工".
    "no need to",
    "no need",
    "don't",
    "dont",
    "do not",
    "not",
    "never",
    "不再",
    // Denying having asked: 我没说要人工, 没让你转客服, 我不是要找人工.
    "不是",
    "没说",
    "没有说",
    "没让",
    "没叫",
    "没有",
    "没",
];

/// Negations after the object that decline it ("人工就不用了").
pub(super) const ZH_NEG_AFTER: &[&str] = &[
    "不用",
    "不需要",
    "不必",
    "算了",
    "没必要",
    "不要了",
    "就不",
    "免了",
];

/// Questions about the service rather than requests for it.
pub(super) const ZH_INFO: &[&str] = &[
    "电话",
    "号码",
    "几点",
    "时间",
    "上班",
    "下班",
    "营业",
    "多少",
    "邮箱",
    "微信号",
    "是谁",
    "是不是",
    "是否",
    "有没有人工吗",
    "怎么收费",
    "什么时候",
    "多久",
    "多长时间",
    // When there is one: 周末有人工客服吗, 晚上客服在吗 (and
    // [`ZH_REGULAR_TIMES`]).
    "星期",
    // Ways and terms of reaching them: 联系客服的方式有哪些, 有什么条件.
    "方式",
    "渠道",
    "条件",
    "哪些",
];

/// Times the service is there as a rule (周末有人工客服吗, 周末能转人工吗):
/// questions about the service, whatever the verb.
pub(super) const ZH_REGULAR_TIMES: &[&str] = &[
    "周末",
    "周六",
    "周日",
    "节假日",
    "假期",
    "晚上",
    "夜里",
    "夜间",
    "凌晨",
    "春节",
    "过年",
    "国庆",
    // Holidays by name: 客服热线除夕有人吗.
    "除夕",
    "大年",
    "中秋",
    "元旦",
    "五一",
    "清明",
    "端午",
    "圣诞",
    "24小时",
    "全天",
];

/// The bot, and what refuses it.
pub(super) const ZH_BOT: &[&str] = &[
    "机器人",
    "机器",
    "智能客服",
    "自动回复",
    "ai",
    "bot",
    "人工智障",
];
pub(super) const ZH_BOT_REFUSAL: &[&str] = &[
    "不要",
    "不想",
    "别",
    "不和",
    "不跟",
    "听不懂",
    "没用",
    "太笨",
    "笨",
    "垃圾",
    "废物",
    "受够",
    "不是人",
    "答非所问",
    "敷衍",
    "滚",
    "太差",
    "差劲",
    "弱智",
    "智障",
    "不行",
    "说不清",
    "说不明白",
    "没法沟通",
    "沟通不了",
    // Sending it away: 机器人走开, 机器人闭嘴, 机器人闪开.
    "走开",
    "闪开",
    "让开",
    "闭嘴",
    "一边去",
    "糊弄",
];

/// Asking to be called back.
pub(super) const ZH_CALLBACK: &[&str] = &[
    "请联系我",
    // 电联 / 致电: calling, written short.
    "电联我",
    "请电联",
    "请致电",
    "麻烦联系我",
    "尽快联系我",
    "赶紧联系我",
    "联系我一下",
    "回电",
    "回个电话",
    "回拨",
    // A follow-up call: 电话回访, 安排回访.
    "电话回访",
    "安排回访",
    "回访我",
    "给我回访",
    "打电话给我",
    "给我打电话",
    "给我打个电话",
    "打给我",
    "来电联系",
    "电话联系我",
    "打个电话给我",
    "致电我",
    "打我电话",
    "回我电话",
    "打我手机",
    // "我留个电话，你们打过来吧".
    "打过来",
    // "让客服给我来个电话", "你们打个电话过来吧".
    "给我来个电话",
    "给我来电话",
    "来个电话给我",
    "打个电话过来",
    "打电话过来",
    // Mixed: "call 我一下", "call 一下我".
    "call 我",
    "call我",
    "call 一下我",
    "call一下我",
    "call 下我",
];

/// English persons made real, seen as objects inside Chinese text ("给我个
/// real person"; a plain "person" there is too often something else).
pub(super) const EN_REAL_PERSONS: &[&str] = &[
    // "human agent 呢": the agent made real.
    "human agent",
    "live agent",
    "real agent",
    "real person",
    "live person",
    "actual person",
    "real people",
    "real human",
    "live human",
];

/// English names of the service's people inside Chinese text ("找
/// customer service", "你们customer service几点上班"): the Chinese reader
/// judges them like 客服.
pub(super) const EN_CHANNEL_PERSONS: &[&str] = &[
    // "转 live chat": the people behind the chat.
    "live chat",
    "live support",
    "human support",
    // "cs在吗": customer service, short.
    "cs",
    "customer service",
    "customer support",
    "customer care",
    "support team",
    "tech support",
    "helpdesk",
];

/// The longest object starting at char index `i`, if it is not a compound.
pub(super) fn zh_object_at(chars: &[char], i: usize) -> Option<usize> {
    let rest = chars.get(i..)?;
    let first = *rest.first()?;
    // Most positions start no object at all: one look in the sorted first
    // characters of every object skips them.
    static FIRSTS: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    let firsts = FIRSTS.get_or_init(|| {
        let mut f: Vec<char> = ZH_VERB_ONLY_PERSONS
            .iter()
            .chain(ZH_OBJECTS)
            .chain(EN_REAL_PERSONS)
            .chain(EN_CHANNEL_PERSONS)
            .chain(EN_STRICT_OBJECTS)
            .filter_map(|o| o.chars().next())
            .collect();
        f.sort_unstable();
        f.dedup();
        f
    });
    if firsts.binary_search(&first).is_err() {
        return zh_generic_person_at(chars, i);
    }
    let mut listed_here = false;
    for obj in ZH_VERB_ONLY_PERSONS
        .iter()
        .chain(ZH_OBJECTS)
        .chain(EN_REAL_PERSONS)
        .chain(EN_CHANNEL_PERSONS)
        .chain(EN_STRICT_OBJECTS)
    {
        // Compared char by char, without collecting, the first character
        // before the length (this runs at every position of every clause,
        // and most objects differ there).
        if !obj.starts_with(first) {
            continue;
        }
        let len = obj.chars().count();
        if rest.len() >= len && obj.chars().zip(rest).all(|(a, b)| a == *b) {
            listed_here = true;
            let next = rest.get(len).copied();
            if obj.is_ascii() {
                // Latin objects inside Chinese text: a whole word.
                let prev_ok = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
                let next_ok = next.is_none_or(|c| !c.is_ascii_alphanumeric());
                if prev_ok && next_ok {
                    return Some(len);
                }
                continue;
            }
            let starts = |w: &str| {
                let n = w.chars().count();
                rest.len() >= len + n && w.chars().zip(&rest[len..]).all(|(a, b)| a == *b)
            };
            // "工作人员核实一下": a talk verb after the person (核 alone
            // makes 人工核验 a compound).
            let talks = ["核实", "核对"].iter().any(|w| starts(w)) || talk_by_means(&rest[len..]);
            if !talks
                && (next.is_some_and(|c| ZH_COMPOUND_NEXT.contains(&c))
                    || ZH_COMPOUND_NEXT_WORDS.iter().any(|w| starts(w)))
            {
                // "转售后服务中心": the listed word describes a person or a
                // place of the generic reader's, right after a request verb
                // ("售后服务中心在哪" asks where a place is).
                let before: String = chars[..i].iter().collect();
                let head = strip_suffixes(before.trim_end(), ZH_FILLERS);
                if ZH_VERBS.iter().any(|v| !v.is_ascii() && head.ends_with(v)) {
                    return zh_generic_person_at(chars, i);
                }
                return None;
            }
            return Some(len);
        }
    }
    if listed_here {
        return None;
    }
    zh_generic_person_at(chars, i)
}

/// "老师视频面谈", "客服电话沟通": a talk by video, phone or voice after a
/// person (真人视频 and 客服电话 alone are compounds).
fn talk_by_means(rest: &[char]) -> bool {
    let starts = |at: usize, w: &str| {
        let n = w.chars().count();
        rest.len() >= at + n && w.chars().zip(&rest[at..]).all(|(a, b)| a == *b)
    };
    ["视频", "电话", "语音"].iter().any(|m| starts(0, m))
        && ["面谈", "聊", "沟通", "通话", "谈", "交流", "确认", "说"]
            .iter()
            .any(|t| starts(2, t))
}

/// People of any business, named by their job, that no list above holds:
/// 员工, 护士, 地勤, 教练 and any word ending in 师 or 员 (营养师, 美容师,
/// 乘务员). They are objects only after a request verb (see
/// [`zh_listed`]), as the other businesses' people are.
const ZH_GENERIC_PERSONS: &[&str] = &[
    "员工",
    "职员",
    "地勤",
    "空乘",
    "空姐",
    "护士",
    "医生",
    "大夫",
    "兽医",
    "教练",
    "私教",
    "管家",
    "礼宾",
    "导购",
    "保安",
    "药师",
    "院长",
    "机长",
    "行长",
    "站长",
    "馆长",
    "顾问",
    "经理",
    "主管",
    // The owner or the one in charge, with the business before them
    // (宠物店老板, 健身房的负责人).
    "老板",
    "店长",
    "店主",
    "负责人",
    // People by their role, described: 核赔人员; the one handling the
    // case: 经办人, 经纪人.
    "人员",
    "经办人",
    "经纪人",
    // Dispatchers and the service's centres: 找你们调度, 政务服务中心.
    "调度",
    "服务中心",
    "客服中心",
    "呼叫中心",
    // A counter of the service: 办事窗口, 人工窗口.
    "窗口",
    // A line of the service, described by what it is for: 转到挂失专线,
    // 接一下售后热线 (客服热线 is a compound of 客服, read there).
    "专线",
    "热线",
    // Heads of a department (教务主任, 科室主任) and the desks of a
    // hospital or a hall (导诊台, 服务台, 护士站).
    "主任",
    "导诊台",
    "服务台",
    "咨询台",
    "总台",
    "护士站",
];

/// Two-character words ending in 员 or 师 that are no staff of the
/// business (会员 is the customer, 人员 and 店员 are listed already).
const ZH_NOT_STAFF: &[&str] = &[
    "会员", "学员", "成员", "队员", "演员", "球员", "党员", "动员", "满员", "裁员", "全员", "团员",
    "社员", "议员", "官员", "减员", "复员", "人员", "店员", "大师", "厨师", "律师", "教师", "法师",
    "牧师", "师傅", "技师", "导师", "军师", "小组", "分组", "编组", "重组", "改组", "机组",
];

/// Characters that end a description before a person: pronouns, verbs,
/// measure words, negations and particles belong to the clause, not to
/// the person ("跟会籍顾问" is 跟 + 会籍顾问; 机器 and 智能 make a bot).
const ZH_NOT_DESCRIPTION: &str = "我你您他她它们的个位名一二两三这那些跟和同与让请叫找给要想派安排转接换喊联系不没别是在有把被就也都还再能可以吗呢吧啊了来去说问帮机器智自动到";

/// Whether `c` is one of [`ZH_NOT_DESCRIPTION`] (a sorted look: this runs
/// at most positions of every clause).
fn not_description(c: char) -> bool {
    static SORTED: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    SORTED
        .get_or_init(|| {
            let mut v: Vec<char> = ZH_NOT_DESCRIPTION.chars().collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .binary_search(&c)
        .is_ok()
}

/// A person of some job starting at `i`: an optional short description
/// (one to three characters, or a place with 的: 酒店的, 诊所的) and then a
/// person, listed or generic (宠物美容师, 会籍顾问, 酒店的经理). Returns the
/// length in characters.
fn zh_generic_person_at(chars: &[char], i: usize) -> Option<usize> {
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let rest = chars.get(i..)?;
    // Whether the character at `k` (of `chars`) ends a description: the
    // verbs 安排 and 联系 stop it, their characters elsewhere do not
    // (安装队的队长, 联通营业厅, 客户关系部).
    let stop_at = |k: usize| {
        let at = |j: Option<usize>| j.and_then(|j| chars.get(j)).copied();
        let (prev, c, next) = (at(k.checked_sub(1)), chars[k], at(Some(k + 1)));
        match c {
            '安' => next == Some('排'),
            '排' => prev == Some('安'),
            '联' => matches!(next, Some('系' | '络')),
            '系' => prev == Some('联'),
            // 机 ends a description only as 机器 (the bot): 值机柜台的地勤
            // and 机场的工作人员 are places.
            '机' => next == Some('器'),
            // 约 is the verb of booking (约一下理财顾问, 签约客服 is read by
            // [`zh_books_talk`]).
            '约' => true,
            // 二手 is a word (懂二手车的顾问), not the number before a person.
            '二' => next != Some('手'),
            '手' => prev != Some('二') && not_description(c),
            _ => not_description(c),
        }
    };
    static HEAD_FIRSTS: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    let head_firsts = HEAD_FIRSTS.get_or_init(|| {
        let mut f: Vec<char> = ZH_GENERIC_PERSONS
            .iter()
            .filter_map(|w| w.chars().next())
            .collect();
        f.sort_unstable();
        f.dedup();
        f
    });
    // Most positions start nothing: a character outside the Chinese range
    // or one that ends a description (and starts no person) cannot start a
    // person here; nor can the middle of a word (the character before is
    // then part of it: 售后工程师 is not 售 + 后工程师).
    let first = *rest.first()?;
    if first.is_ascii_alphabetic() {
        return zh_latin_job_at(chars, i);
    }
    // "billing 的人": whoever works at a place named in English.
    if first == '人'
        && i >= 2
        && chars[i - 1] == '的'
        && chars[..i - 1]
            .iter()
            .rev()
            .find(|c| **c != ' ')
            .is_some_and(char::is_ascii_alphabetic)
        && rest
            .get(1)
            .is_none_or(|c| !"工员们类生口气物民事品格数群性家身手影头力心".contains(*c))
    {
        return Some(1);
    }
    // After 一下 too ("转一下客户关系部": 下 also ends 线下, 楼下).
    let boundary = i == 0
        || chars.get(i - 1).is_some_and(|&c| !cjk(c) || stop_at(i - 1))
        || (i >= 2 && chars[i - 2] == '一' && chars[i - 1] == '下')
        // After a word of asking: 麻烦病案室的老师帮我开一下.
        || (i >= 2
            && matches!(
                (chars[i - 2], chars[i - 1]),
                ('麻', '烦') | ('劳', '驾') | ('拜', '托') | ('烦', '请')
            ));
    if !boundary || !cjk(first) || (stop_at(i) && head_firsts.binary_search(&first).is_err()) {
        return None;
    }
    let starts_at = |at: usize, w: &str| {
        let n = w.chars().count();
        rest.len() >= at + n && w.chars().zip(&rest[at..]).all(|(a, b)| a == *b)
    };
    let compound_after = |end: usize| {
        !rest.get(end..).is_some_and(talk_by_means)
            && (rest.get(end).is_some_and(|c| {
                ZH_COMPOUND_NEXT.contains(c) || "餐厅折价证卡号服装站课车".contains(*c)
            }) || ZH_COMPOUND_NEXT_WORDS.iter().any(|w| starts_at(end, w)))
    };
    let head_at = |at: usize| -> Option<usize> {
        let word = ZH_GENERIC_PERSONS
            .iter()
            .filter(|w| starts_at(at, w))
            .map(|w| w.chars().count())
            .max()?;
        (!compound_after(at + word)).then_some(at + word)
    };
    // A job word of the form X师 / X员 (营养师, 乘务员): its stem is the
    // last character of the description.
    let suffixed = |at: usize| -> Option<usize> {
        let stem = *rest.get(at)?;
        let suffix = *rest.get(at + 1)?;
        if !matches!(suffix, '师' | '员' | '组' | '长' | '部' | '处' | '官')
            || !cjk(stem)
            || stop_at(i + at)
        {
            return None;
        }
        // X部 (门) is a department of the business (投诉部, 客诉部门, 客户关系部),
        // unless the stem makes it a part of something (全部, 内部, 腹部, 俱乐部).
        if suffix == '部' {
            if "全内外局头背腹胸腿臂面颈腰肩底顶细干东西南北中上下前后每一乐总本分支".contains(stem)
            {
                return None;
            }
            let end = at + 2 + usize::from(rest.get(at + 2) == Some(&'门'));
            return (!compound_after(end)).then_some(end);
        }
        // X官 is an officer (签证官, 审核官), unless the stem makes it an
        // organ, a sense or someone else's (器官, 感官, 法官, 军官), or
        // what follows makes it official (官方, 官网).
        if suffix == '官'
            && ("器感五法军外警考长高大百史文武".contains(stem)
                || rest
                    .get(at + 2)
                    .is_some_and(|c| "方网微宣司僚职员".contains(*c)))
        {
            return None;
        }
        // X处 is an office (教务处, 财务处), unless the stem makes it a
        // place or a use (到处, 好处, 用处, 住处, 此处).
        if suffix == '处' && "到好坏用住此出长难去各何深远别近高低暗明相共益短害妙绝".contains(stem)
        {
            return None;
        }
        // X长 is a head of something (乘务长, 护士长, 组长), unless the
        // stem makes it a length or a growth (多长, 成长, 家长 is a parent).
        if suffix == '长' && "多很太较最成增延家擅特身漫加拉冗专助生细修超市县省部".contains(stem)
        {
            return None;
        }
        // 队长 heads a crew (安装队的队长), but 排队长 is a queue that is long.
        let before_stem = if at > 0 {
            rest.get(at - 1).copied()
        } else {
            i.checked_sub(1).and_then(|k| chars.get(k).copied())
        };
        if suffix == '长' && stem == '队' && before_stem.is_some_and(|c| "排站列插".contains(c))
        {
            return None;
        }
        // 师傅 and 员工 are words of their own (安装师傅 is no 安装师).
        if matches!(rest.get(at + 2), Some('傅' | '工')) {
            return None;
        }
        let word: String = [stem, suffix].iter().collect();
        // 快递员, 外卖员: a third party's people, not the business's.
        let with_before: String = rest[at.saturating_sub(1)..at + 2].iter().collect();
        if ZH_NOT_STAFF.contains(&word.as_str())
            || ZH_THIRD_PARTIES.iter().any(|t| with_before.starts_with(t))
        {
            return None;
        }
        (!compound_after(at + 2)).then_some(at + 2)
    };
    // "找营业厅的人", "售后部的人": whoever works at a place, named by
    // the place and 的 (not 人工, 人员, 人家, 人们…).
    let anyone_there = |at: usize| {
        rest.get(at) == Some(&'人')
            && rest
                .get(at + 1)
                .is_none_or(|c| !"工员们类生口气物民事品格数群性家身手影头力心".contains(*c))
    };
    // The description: characters outside ZH_NOT_DESCRIPTION, or a place
    // of two or three such characters followed by 的; never one that ends
    // in a request verb (连线客服, 在线等人工 are verbs before a person).
    let mut m = 0;
    let mut has_de = false;
    loop {
        let head = rest
            .get(m)
            .filter(|c| head_firsts.binary_search(c).is_ok())
            .and_then(|_| head_at(m));
        // The description is read only when a person follows it (most
        // positions have none).
        let head = head.or_else(|| (has_de && anyone_there(m)).then_some(m + 1));
        if let Some(len) = head.or_else(|| suffixed(m)) {
            let desc: String = rest[..m].iter().collect();
            let desc_ok = !ZH_VERBS.iter().any(|v| !v.is_ascii() && desc.ends_with(v))
                && !ZH_THIRD_PARTIES.iter().any(|t| desc.contains(t));
            if desc_ok {
                return Some(len);
            }
        }
        let &c = rest.get(m)?;
        if c == '的' && (2..=4).contains(&m) && !has_de {
            has_de = true;
            m += 1;
            continue;
        }
        // A place of four characters only with 的 after it (值机柜台的地勤);
        // a description without 的 stays within three.
        let place_of_four = m == 3 && rest.get(4) == Some(&'的');
        if (m >= 3 && !place_of_four) || !cjk(c) || stop_at(i + m) || has_de {
            return None;
        }
        m += 1;
    }
}

/// English job names inside Chinese text ("帮我找个 nurse", "跟
/// pharmacist 确认一下", "找 ground staff"): persons after a Chinese
/// request verb, like the Chinese job words. A word before staff, team or
/// crew joins it ("billing team").
const EN_JOBS: &[&str] = &[
    "nurse",
    "doctor",
    "vet",
    "pharmacist",
    "coach",
    "trainer",
    "groomer",
    "stylist",
    "therapist",
    "physiotherapist",
    "physio",
    "dietitian",
    "nutritionist",
    "concierge",
    "receptionist",
    "cashier",
    "teller",
    "banker",
    "pilot",
    "steward",
    "stewardess",
    "attendant",
    "staff",
    "employee",
    "employees",
    "clerk",
    "chef",
    "waiter",
    "waitress",
    "host",
    "guide",
    "instructor",
    "tutor",
    "dentist",
    "surgeon",
    "butler",
    "porter",
    "valet",
    "mechanic",
    "housekeeping",
    "housekeeper",
    "lifeguard",
    "crew",
    "team",
    "salesperson",
    "sales",
    // Jobs of other businesses, by their English names: 找个 adjuster,
    // "跟 insurance adjuster 通个电话", "你们的 designer".
    "adjuster",
    "designer",
    "planner",
    "coordinator",
    "technician",
    "engineer",
    "inspector",
    "consultant",
    "specialist",
    "advisor",
    "adviser",
    "counselor",
    "counsellor",
    "dispatcher",
    "caseworker",
    "underwriter",
    "landlord",
];

/// The length of an English job name starting a Latin word at `i`.
fn zh_latin_job_at(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && chars[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let word_end = |from: usize| {
        let mut e = from;
        while chars.get(e).is_some_and(|c| c.is_ascii_alphabetic()) {
            e += 1;
        }
        e
    };
    let end = word_end(i);
    let word: String = chars[i..end].iter().collect();
    // "billing team", "ground staff": a word before staff, team or crew.
    if chars.get(end) == Some(&' ') && !EN_REAL.contains(&word.as_str()) {
        let next_end = word_end(end + 1);
        let next: String = chars[end + 1..next_end].iter().collect();
        // "转 billing department": a department of the business; "contact
        // 一下 admissions office", "找 service desk": its office or desk.
        if matches!(
            next.as_str(),
            "staff" | "team" | "crew" | "department" | "dept" | "office" | "desk"
        ) {
            return Some(next_end - i);
        }
    }
    // "team building", "staff room": another word follows (a compound).
    let compound =
        chars.get(end) == Some(&' ') && chars.get(end + 1).is_some_and(|c| c.is_ascii_alphabetic());
    (EN_JOBS.contains(&word.as_str()) && !compound).then_some(end - i)
}

/// Whether `object` is one of the listed person words (a bare one may be
/// a request); a generic or described person is one only after a verb.
pub(super) fn zh_listed(object: &str) -> bool {
    ZH_VERB_ONLY_PERSONS
        .iter()
        .chain(ZH_OBJECTS)
        .chain(EN_REAL_PERSONS)
        .chain(EN_CHANNEL_PERSONS)
        .chain(EN_STRICT_OBJECTS)
        .any(|o| *o == object)
}

/// Like [`strip_suffixes`], but stops as soon as `stop` holds for the rest.
pub(super) fn strip_suffixes_to<'a>(
    mut s: &'a str,
    words: &[&str],
    stop: impl Fn(&str) -> bool,
) -> &'a str {
    loop {
        s = s.trim_end();
        if stop(s) {
            return s;
        }
        let Some(rest) = words.iter().find_map(|w| s.strip_suffix(w)) else {
            return s;
        };
        s = rest;
    }
}

/// Strips any of `words` from the end of `s` (repeatedly); returns the rest.
pub(super) fn strip_suffixes<'a>(mut s: &'a str, words: &[&str]) -> &'a str {
    loop {
        let before = s;
        s = s.trim_end();
        for w in words {
            if let Some(rest) = s.strip_suffix(w) {
                s = rest;
                break;
            }
        }
        if s == before {
            return s;
        }
    }
}

/// Strips any of `words` from the start of `s` (repeatedly, the longest
/// word first: 快点 before 快); returns the rest.
pub(super) fn strip_prefixes<'a>(mut s: &'a str, words: &[&str]) -> &'a str {
    loop {
        let before = s;
        s = s.trim_start();
        if let Some(rest) = words
            .iter()
            .filter_map(|w| s.strip_prefix(w))
            .min_by_key(|rest| rest.len())
        {
            s = rest;
        }
        if s == before {
            return s;
        }
    }
}

/// A clause that reports contact already had ("已经跟客服沟通过了",
/// "找过客服") asks for nothing.
/// Characters after 过 that make it the start of a word (过敏, 过期, 过户,
/// 过程), not the mark of an experience (聊过, 找过).
const ZH_GUO_WORDS: &str = "敏期户程年节夜境滤量失分半久";

pub(super) const ZH_REPORTED: &[&str] = &[
    "沟通过",
    "聊过",
    "说过",
    "问过",
    "联系过",
    "找过",
    "打过",
    "反映过",
    "处理过",
    "咨询过",
    // Finished talking: 刚跟客服聊完.
    "聊完",
    "说完",
    "谈完",
    "沟通完",
    "问完",
    "投诉过",
    "转过",
];

/// Phone calls as the way to talk ("跟售后通个电话", "打电话给我"), not a
/// number asked for: 电话 there is no question about the service.
const ZH_PHONE_MEANS: &[&str] = &[
    "通个电话",
    "通电话",
    "打个电话",
    "打电话",
    "回个电话",
    "回电话",
    "电话联系",
    "电话沟通",
    "电话给我",
];

/// Whether the clause asks about the service (its number, hours, ways)
/// rather than for a person.
fn zh_info(clause: &str) -> bool {
    ZH_INFO.iter().chain(ZH_REGULAR_TIMES).any(|w| {
        clause.match_indices(w).any(|(at, _)| {
            // "有没有活人在上班": at work now, not the hours; 营业厅 is a
            // place; 送货时间 is the customer's own (not the service's hours).
            (*w != "上班" || !clause[..at].ends_with('在'))
                && (*w != "时间"
                    || ![
                        "送货", "配送", "发货", "取车", "还车", "预约", "安装", "上门", "收货",
                        // A time set with someone: 约个时间和设计师聊聊.
                        "约个", "约", "抽个", "定个", "找个",
                    ]
                    .iter()
                    .any(|t| clause[..at].ends_with(t)))
                // "找真人核实一下这个账户是不是我的": the matter checked,
                // not a question about the service.
                && (!matches!(*w, "是不是" | "是否")
                    || !["核实", "确认", "核对", "查一下", "查查", "看看", "看一下"]
                        .iter()
                        .any(|v| clause[..at].contains(v)))
                && (*w != "营业"
                    || !["营业厅", "营业员"].iter().any(|p| clause[at..].starts_with(p)))
                // 一下班主任 is 一下 + 班主任, not 下班.
                && (!matches!(*w, "下班" | "上班") || !clause[at + w.len()..].starts_with("主任"))
                && (*w != "电话"
                    || !ZH_PHONE_MEANS.iter().any(|m| {
                        m.match_indices("电话")
                            .any(|(k, _)| at >= k && clause[at - k..].starts_with(m))
                    }))
        })
    })
}

/// "退货要联系客服吗", "是不是得找人工": whether a procedure needs the
/// service, a question about it, not a request ("我要联系客服" wants).
fn zh_needs_question(before: &str, clause: &str) -> bool {
    let head = strip_suffixes(before, ZH_FILLERS);
    let Some(verb) = ZH_VERBS.iter().find(|v| head.ends_with(*v)) else {
        return false;
    };
    let lead = &head[..head.len() - verb.len()];
    let Some(modal) = ["需要", "要", "得", "必须", "用不用", "需不需要", "要不要"]
        .iter()
        .find(|m| lead.ends_with(*m))
    else {
        return false;
    };
    let subject = &lead[..lead.len() - modal.len()];
    let mine = ["我", "我们", "想", "就", "请", "我就", "那我"]
        .iter()
        .any(|m| subject.ends_with(m))
        || subject.is_empty();
    let question = clause.trim_end().ends_with(['吗', '么'])
        || ["还是", "是不是", "是否", "用不用", "需不需要", "要不要"]
            .iter()
            .any(|q| clause.contains(q));
    question && (*modal != "要" || !mine)
}

pub(super) fn zh_clause(clause: &str) -> Option<Strength> {
    // 过 of a past event, not 过来 ("打过来" asks for a call).
    if ZH_REPORTED.iter().any(|r| {
        clause.match_indices(r).any(|(at, _)| {
            !clause[at + r.len()..].starts_with(|c: char| c == '来' || ZH_GUO_WORDS.contains(c))
        })
    }) {
        return None;
    }
    // "你们会派人来处理吗", "物业说会派人来": whether or that someone will
    // be sent, a statement or a question about the service, not a call.
    if clause.contains("会派") {
        return None;
    }
    // "你们有在线客服吗", "贵公司有没有电话客服": which channels the business
    // offers, asked (a bare "有客服吗" asks whether someone is there now).
    if zh_offers_channel(clause) {
        return None;
    }
    let chars: Vec<char> = clause.chars().collect();
    let around: &[&str] = &[ZH_POLITE, ZH_OBJECTS].concat();
    let mut best = None;
    let mut i = 0;
    while i < chars.len() {
        let Some(len) = zh_object_at(&chars, i) else {
            i += 1;
            continue;
        };
        let before: String = chars[..i].iter().collect();
        let object: String = chars[i..i + len].iter().collect();
        let after: String = chars[i + len..].iter().collect();
        // "让教练本人跟我说": the person themself, the same person.
        let after = strip_prefixes(&after, &["本人", "亲自"]).to_owned();
        i += len;
        if ZH_NEG_AFTER.iter().any(|n| after.contains(n)) {
            continue;
        }
        // "上次你们派来的美容师很专业": a verb before 的 describes the
        // person (the one sent), it does not ask for one.
        if ["来的", "去的", "过来的"]
            .iter()
            .any(|r| before.ends_with(r))
        {
            continue;
        }
        // "找你们经理解决过一次": 过 after a verb, an experience reported
        // (not 过来 / 过去, nor 不过, 通过, 超过).
        let experienced = after.match_indices('过').any(|(at, _)| {
            let prev = after[..at].chars().next_back();
            let next = after[at + '过'.len_utf8()..].chars().next();
            prev.is_some_and(|c| {
                ('\u{4e00}'..='\u{9fff}').contains(&c) && !"不通超经难太错路度".contains(c)
            }) && !next.is_some_and(|c| "来去".contains(c))
                // 过 starting a word of its own: 过敏, 过期, 过户, 过程.
                && !next.is_some_and(|c| ZH_GUO_WORDS.contains(c))
        });
        if experienced {
            continue;
        }
        // "刚才转人工了", "已经找过客服了": done before, reported;
        // "上次转人工等了半小时": what happened after it.
        let waited = {
            let mut a = after.trim_start().chars();
            a.next().is_some_and(|c| "等排聊说问试打弄".contains(c)) && a.next() == Some('了')
        };
        if (after.trim_start().starts_with('了') || waited)
            && [
                "刚才", "刚刚", "之前", "已经", "上次", "昨天", "前天", "那天", "早就", "早上",
                "先前",
            ]
            .iter()
            .any(|p| before.contains(p))
        {
            continue;
        }
        // "找人工太麻烦了": the process judged, not asked for.
        if ["太麻烦", "好麻烦", "很麻烦", "太慢", "太久", "太费劲"]
            .iter()
            .any(|w| after.trim_start().starts_with(w))
        {
            continue;
        }
        // "以后有问题找客服就行对吧": how things are done, not a call now.
        if ["就行", "就好", "就可以"]
            .iter()
            .any(|w| after.trim_start().starts_with(w))
            && ["以后", "下次", "有问题", "遇到", "对吧", "是吧", "吗"]
                .iter()
                .any(|m| clause.contains(m))
        {
            continue;
        }
        // Bare object: nothing but politeness around it.
        let rest_before = strip_prefixes(strip_suffixes(&before, around), around);
        let rest_after = strip_prefixes(&after, around);
        let info = zh_info(clause);
        // "客服你好", "谢谢客服": addressing whoever answers, a greeting
        // or thanks.
        let greets = ["你好", "您好"]
            .iter()
            .any(|g| after.trim_start().starts_with(g))
            || [
                "谢谢",
                "感谢",
                "辛苦",
                "thanks",
                "thank you",
                "thx",
                "cheers",
            ]
            .iter()
            .any(|t| before.trim_end().ends_with(t));
        if rest_before.trim().is_empty()
            && rest_after.trim().is_empty()
            && !info
            && !greets
            && !ZH_VERB_ONLY.contains(&object.as_str())
            && !ZH_VERB_ONLY_PERSONS.contains(&object.as_str())
            && zh_listed(&object)
        {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // "人工客服我要投诉": the person addressed with a complaint.
        if zh_complains(after.trim()) && rest_before.trim().is_empty() && !info {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // "可以人工处理吗", "请人工核实": the person asked to act, with a
        // modal or a plea before ("人工处理的订单" is a noun).
        let pleaded = [
            "可以",
            "能",
            "能不能",
            "可不可以",
            "请",
            "麻烦",
            "希望",
            "申请",
        ]
        .iter()
        .any(|m| before.trim_end().ends_with(m));
        if pleaded
            && !info
            && !zh_negated_anywhere(&before)
            && [
                "处理",
                "核实",
                "核对",
                "介入",
                "跟进",
                "解决",
                "帮我",
                "帮忙",
                "看一下",
                "看看",
            ]
            .iter()
            .any(|a| {
                after
                    .trim_start()
                    .strip_prefix(a)
                    .is_some_and(|r| !["的", "了", "过", "说"].iter().any(|p| r.starts_with(p)))
            })
        {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // "你们客服怎么还不来": the person has not come yet.
        // "你们客服是都不在吗": none of them there, asked.
        let awaited = strip_prefixes(
            &after,
            &["怎么", "为什么", "咋", "到底", "都", "还是", "是都", "是"],
        );
        if [
            "不在吗",
            "都不在",
            "不在了吗",
            "还不来",
            "还没来",
            "还不出来",
            "还没出来",
            "还不回",
            "还没回",
            "不理人",
            "还不理",
        ]
        .iter()
        .any(|w| awaited.starts_with(w))
        {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // "哪位客服能帮我看看": asking which of them will help.
        if ["哪位", "有没有哪位", "有哪位"]
            .iter()
            .any(|w| before.trim_end().ends_with(w))
            // "园长是哪位老师": who someone is, asked.
            && !["是哪位", "是哪个"].iter().any(|w| before.trim_end().ends_with(w))
            && !info
        {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // "把你们领导叫来", "把客服给我找来": the person made the object of a
        // summons with 把.
        let summoned = strip_suffixes(&before, ZH_FILLERS)
            .strip_suffix('把')
            .is_some_and(|lead| !ZH_NEG_BEFORE.iter().any(|n| lead.ends_with(n)))
            && ["叫", "喊", "找", "请", "拉", "带", "派", "转", "接", "换"]
                .iter()
                .any(|v| {
                    strip_prefixes(&after, &["给我", "帮我", "赶紧", "快", "马上"]).starts_with(v)
                });
        // "还是人工来吧", "让客服来处理": the person coming to act.
        let comes = {
            // Whatever comes before the last word of choosing or asking
            // ("这种事还是…", "那就让…") is the topic.
            let marks = ["还是", "让", "请", "得", "必须", "需要", "那就", "就"];
            let from = marks
                .iter()
                .filter_map(|m| before.rfind(m).map(|at| at + m.len()))
                .max()
                .unwrap_or(0);
            let lead = strip_prefixes(strip_suffixes(&before[from..], ZH_FILLERS), ZH_POLITE);
            let urged = strip_prefixes(&after, &["快点", "赶快", "赶紧", "马上", "快", "速"]);
            // "机器人闪开，人工上": the person stepping in, said as 上.
            urged
                .strip_prefix('来')
                .or_else(|| {
                    urged
                        .strip_prefix('上')
                        .filter(|t| t.trim_end_matches(ZH_END).is_empty())
                })
                .is_some_and(|t| {
                    let t = t.trim_end_matches(ZH_END);
                    t.is_empty()
                        || [
                            "处理", "解决", "帮", "看", "回答", "解答", "跟我", "和我", "说", "管",
                        ]
                        .iter()
                        .any(|a| t.starts_with(a))
                })
                && (lead.is_empty() || lead == "我")
                && !zh_negated_anywhere(&before)
        };
        if (summoned || comes) && !info {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // "你们经理呢", "负责人在哪": asking where the person is calls them,
        // even for the nouns that are otherwise only objects of a verb.
        // "人工到底在哪": past an adverb of impatience.
        // "客服还在吗": still there, asked.
        let where_after =
            strip_prefixes(&after, &["到底", "究竟", "都", "又", "倒是", "现在", "还"]);
        // Not where it is based ("support team 在哪个城市", "在哪里办公").
        let where_is = ["呢", "在哪", "在吗", "在不在", "去哪", "人呢", "出来"]
            .iter()
            .any(|w| {
                where_after.strip_prefix(w).is_some_and(|t| {
                    !(w.starts_with("在哪")
                        && ["个", "里的", "儿的", "家", "座", "办公", "上班"]
                            .iter()
                            .any(|p| {
                                t.trim_start_matches(['里', '儿']).starts_with(p)
                                    || t.starts_with(p)
                            }))
                })
            });
        // "where is 你们的经理", "is 人工 available now?": the English
        // question around a Chinese person.
        let en_where = strip_suffixes(&before, ZH_FILLERS)
            .trim_end()
            .ends_with("where is")
            || strip_suffixes(&before, ZH_FILLERS)
                .trim_end()
                .ends_with("where are");
        let en_present = ["available", "online", "around", "there"]
            .iter()
            .any(|p| after.trim_start().starts_with(p))
            && strip_suffixes(&before, &["is", "are", "any", "your", "there"])
                .trim()
                .is_empty();
        // "人工客服 where r u": where the person is, asked in English
        // after them.
        let en_where_after = matches!(
            after.split_whitespace().collect::<Vec<_>>().as_slice(),
            ["where", "are" | "r", "you" | "u"] | ["where", "you" | "u", "at"]
        ) && strip_suffixes(&before, ZH_FILLERS).trim().is_empty();
        let en_where = en_where || en_where_after;
        // Only around a Chinese person: the English reader judges
        // "are your agents available 24/7?".
        // "人工客服 online 时间是几点": when they are online, a question.
        if (en_where || en_present) && !object.is_ascii() && !info {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        if where_is
            && rest_before.trim().is_empty()
            && !info
            // 售后 present, not where it is ("售后在吗", not 售后在哪).
            && (object != "售后" || !where_after.starts_with("在哪"))
            && object != "人类"
        {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // "联系客服后多久退款", "找客服的时候": a time clause about the
        // service, not a request for it.
        if [
            "后",
            "以后",
            "之后",
            "的时候",
            "时候",
            "时",
            "的话",
            "之前",
            "以前",
        ]
        .iter()
        .any(|w| after.trim_start().starts_with(w))
        {
            continue;
        }
        // "有人工吗", "有没有真人": asking whether there is one is asking for one.
        // "有没有live agent": English adjectives between.
        let bare_before = strip_suffixes(&before, &["real", "live", "actual", "human"]);
        // "有没有懂退款流程的工作人员": a description between.
        let bare_before = bare_before
            .strip_suffix('的')
            .and_then(|d| {
                let at = d.rfind("有没有").map(|a| a + "有没有".len())?;
                let desc = &d[at..];
                // "有没有 live chat 的真人": any short description when
                // the object ends the clause.
                // "有没有健身房的工作人员在线": present, said after it.
                // "有没有窗口的工作人员能帮我查": able to act, said after it.
                let ends = after.trim_end_matches(ZH_END).trim().is_empty()
                    || ["在线", "在", "在不在", "在么"]
                        .contains(&after.trim_end_matches(ZH_END).trim())
                    || ["能", "可以", "帮我", "来帮"]
                        .iter()
                        .any(|a| after.trim_start().starts_with(a));
                ((desc_len(desc) <= 8 && ZH_ABLE.iter().any(|a| desc.starts_with(a)))
                    || (ends && desc_len(desc) <= 12))
                    .then(|| &d[..at])
            })
            .unwrap_or(bare_before);
        // "有活人没", "有人工没有": the question said with 没.
        // "你们有营养师吗" asks what the business offers: only the listed
        // people are asked for by whether they are there.
        // Someone on duty now ("有值班护士吗") is asked for whatever the job.
        // So is anyone of a job able to act for the customer, asked with
        // 有没有 ("有没有导诊台的护士可以帮我改一下"; "有营养师吗" still asks
        // what the business offers).
        let able_for_me = clause.contains("有没有")
            && [
                "能帮",
                "可以帮",
                "能不能帮",
                "可不可以帮",
                "帮我",
                "能跟我",
                "可以跟我",
                "能给我",
                "可以给我",
            ]
            .iter()
            .any(|a| after.trim_start().starts_with(a));
        let asks_for_one = (zh_listed(&object)
            || able_for_me
            || ["值班", "当班"].iter().any(|d| object.starts_with(d)))
            && (bare_before.ends_with('有') || bare_before.ends_with("有没有"))
            && (clause.contains("有没有")
                || ["吗", "么", "嘛", "没", "没有"]
                    .iter()
                    .any(|q| clause.trim_end_matches(['啊', '呀', ' ']).ends_with(q)));
        // "让专员联系我": the object asked to act.
        // Not a report of what it did ("客服回复我说三天到账").
        // Politeness and urgency may come first ("客服快出来",
        // "客服小姐姐出来一下").
        let urged = strip_prefixes(&after, ZH_POLITE);
        // "人工客服的回复我收到了": the object's reply, a noun.
        let possessive = after.trim_start().starts_with('的');
        // "人工客服看到了回我一下": when they see it, then the act.
        let when_seen = strip_prefixes(
            &after,
            &[
                "看到了",
                "看到后",
                "看到",
                "有空",
                "方便的话",
                "尽快",
                "抽空",
                "麻烦",
            ],
        );
        // "你们的工程师能远程帮我看看吗": able to, from afar.
        let able_to = strip_prefixes(
            &after,
            &[
                "能不能",
                "可不可以",
                "能否",
                "可以",
                "能",
                "远程",
                "直接",
                "尽快",
                "马上",
                "快点",
                "赶紧",
                "快",
            ],
        );
        // "希望有客服能尽快回复": a plain reply, when a modal asks for it.
        let modal_reply = able_to.len() < after.len()
            && ["回复", "回我", "联系", "处理"].contains(&able_to.trim_end_matches(ZH_END))
            && !possessive;
        // "诊所的护士能跟我确认下时间吗": able to talk with the customer,
        // asked with a modal (without one, "教练跟我说…" reports).
        let talks_with_me = able_to.len() < after.len()
            && ["跟我", "和我", "同我", "与我"].iter().any(|w| {
                able_to.strip_prefix(w).is_some_and(|t| {
                    ZH_TALK.iter().any(|v| {
                        t.strip_prefix(v)
                            .is_some_and(|r| !["的", "了", "过"].iter().any(|p| r.starts_with(p)))
                    })
                })
            });
        // "能不能有个真人一步一步教我": a person teaching the customer, asked
        // with a modal before or after the person.
        // (Read only when the act is there: a cheap first look.)
        let teaches = after.contains(['教', '带', '导', '陪']) && {
            let modal_before = ["能不能", "可不可以", "能否", "可以", "能"]
                .iter()
                .any(|m| before.contains(m));
            let taught = strip_prefixes(able_to, &["一步一步", "一步步", "手把手", "慢慢", "耐心"]);
            (able_to.len() < after.len() || modal_before)
                && ["教我", "教教我", "带我", "指导我", "陪我"]
                    .iter()
                    .any(|t| taught.starts_with(t))
        };
        // "麻烦病案室的老师帮我开一下": someone addressed with a word of
        // asking, doing something for the customer (any act after 帮我).
        let asked_to_help = ["麻烦", "请", "劳驾", "拜托", "烦请"]
            .iter()
            .any(|p| strip_suffixes(before.trim_end(), &["你们的", "你们", "贵"]).ends_with(p))
            && ["帮我", "帮忙", "替我"]
                .iter()
                .any(|a| after.trim_start().starts_with(a));
        let object_acts = modal_reply
            || asked_to_help
            || (teaches && !possessive)
            || (talks_with_me && !possessive)
            || !possessive
                && ZH_OBJECT_ACTS.iter().any(|a| {
                    [after.trim_start(), urged, when_seen, able_to]
                        .iter()
                        .any(|s| {
                            // "客服说句话都这么慢": a judgement, not a call.
                            s.strip_prefix(a).is_some_and(|r| {
                                ![
                                    "说", "了", "过", "的", "都", "这么", "那么", "太", "很", "得",
                                ]
                                .iter()
                                .any(|p| r.starts_with(p))
                            })
                        })
                });
        if (asks_for_one || object_acts) && !info && !zh_negated_anywhere(&before) {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // "来个真人", "给个人工": a verb with a measure word.
        if ([
            "来个",
            "来一个",
            "来位",
            "来一位",
            "给个",
            "给一个",
            "给我个",
            // Colloquial: 弄个真人来, 搞个人工.
            "弄个",
            "弄一个",
            "搞个",
            "搞一个",
        ]
        .iter()
        .any(|c| before.trim_end().ends_with(c))
            // "整个人工客服给我" (not 整个 as "the whole").
            || (["整个", "整一个"].iter().any(|c| before.trim_end().ends_with(c))
                && ["给我", "来"].iter().any(|t| after.contains(t))))
            && !zh_negated_anywhere(&before)
            && !info
        {
            best = best.max(Some(Strength::Explicit));
            continue;
        }
        // Verb + fillers + object.
        // Fillers are stripped back to the nearest verb: 给我 is both
        // ("给我一个人工客服").
        let mut head = strip_suffixes_to(&before, ZH_FILLERS, |h| {
            ZH_VERBS.iter().any(|v| h.ends_with(v))
        });
        // "找个专业的技术人员", "叫一位懂行的客服": a short description
        // between the measure word and the object.
        if !ZH_VERBS.iter().any(|v| head.ends_with(v))
            && let Some(described) = zh_described(before.trim_end())
        {
            head = described;
        }
        // A result complement after the verb: 找到人工, 联系上你们客服
        // (投诉到 is a verb of its own, found first).
        if !ZH_VERBS.iter().any(|v| head.ends_with(v))
            && let Some(h) = head.strip_suffix('到').or_else(|| head.strip_suffix('上'))
            && ["找", "联系", "联络", "接", "转", "叫"]
                .iter()
                .any(|v| h.ends_with(v))
        {
            head = h;
        }
        // "跟 finance manager 聊", "找 billing supervisor": an English
        // word of kind before an English person, after a Chinese verb.
        if object.is_ascii()
            && !ZH_VERBS.iter().any(|v| head.ends_with(v))
            && let Some(h) = before
                .trim_end()
                .strip_suffix(|c: char| c.is_ascii_alphabetic())
                .map(|b| b.trim_end_matches(|c: char| c.is_ascii_alphabetic()))
                .filter(|b| b.ends_with(' ') || b.ends_with(|c: char| !c.is_ascii()))
            && let word = &before.trim_end()[h.len()..]
            && !EN_NEG.contains(&word)
            && !EN_COMPOUND_PREV.contains(&word)
            && !EN_BOT.contains(&word)
        {
            let h = strip_suffixes(h.trim_end(), ZH_FILLERS);
            if ZH_VERBS.iter().any(|v| !v.is_ascii() && h.ends_with(v)) {
                head = h;
            }
        }
        // "我要找营业厅的工作人员": where the person works, with 的,
        // between a verb of reaching and the person.
        if !ZH_VERBS.iter().any(|v| head.ends_with(v))
            && let Some(h) = zh_where_from(before.trim_end())
        {
            head = h;
        }
        let Some(verb) = ZH_VERBS.iter().find(|v| head.ends_with(*v)) else {
            continue;
        };
        if matches!(*verb, "约" | "预约") && !zh_books_talk(head, &object, &after, clause) {
            continue;
        }
        // "请问你们的工作人员有健康证吗": 请问 asks a question (may I ask),
        // it invites nobody.
        if *verb == "请" && before[head.len()..].starts_with('问') {
            continue;
        }
        // "之前打电话给客服", "上次联系过你们经理": a contact at a time past,
        // reported (a wish after the time still asks: "上次没接通，现在要找
        // 经理").
        if zh_past_contact(&head[..head.len() - verb.len()]) {
            continue;
        }
        // A bare 同事 is the customer's own ("跟同事商量一下"); the agent's
        // are named as theirs or by their job ("你们同事", "负责退款的同事").
        if matches!(object.as_str(), "同事" | "同学")
            && ![
                "你们", "您", "贵", "负责", "专门", "相关", "客服", "售后", "技术", "运营", "审核",
                "财务", "风控",
            ]
            .iter()
            .any(|w| before.contains(w))
        {
            continue;
        }
        if zh_needs_question(&before, clause) {
            continue;
        }
        // English verb and English object: the English grammar's to judge
        // (it knows the negations of "don't need a human").
        // A job name the English reader does not know is judged here, but
        // only inside Chinese text ("帮我 connect 一个 vet").
        if verb.is_ascii() && object.is_ascii() && (zh_listed(&object) || clause.is_ascii()) {
            continue;
        }
        let lead = &head[..head.len() - verb.len()];
        // 和 / 跟 are also "and": "客服和快递都没回" names two parties.
        // As a request they need a wish before or talking after
        // ("我要跟客服说", "跟人工聊一下").
        if matches!(*verb, "和" | "跟" | "同" | "与") {
            let wish = [
                "要", "想", "需要", "让我", "请", "麻烦", "能", "可以", "帮我", "希望", "预约",
            ]
            .iter()
            .any(|w| lead.contains(w));
            // "can I 跟老师 talk 一下": an English talk verb after.
            let talk = ZH_TALK.iter().any(|t| after.trim_start().starts_with(t))
                || ["talk", "speak", "chat"]
                    .iter()
                    .any(|t| after.trim_start().starts_with(t))
                || after.trim_start().starts_with("直接")
                || after.trim_start().starts_with("当面");
            if !wish && !talk {
                continue;
            }
        }
        let lead = strip_suffixes(
            lead,
            &[
                "帮我",
                "给我",
                "能不能",
                "可不可以",
                "能",
                "可以",
                "我",
                "再",
                "去",
            ],
        );
        // A wish may stand between the negation and the verb (没说要转,
        // 不想要找); the negation may also end in one (没必要找).
        // "不是我要找人工": the subject between them too.
        let wish_stripped = strip_suffixes(
            strip_suffixes(
                lead,
                &["想要", "需要", "要求", "请求", "申请", "说要", "要", "想"],
            ),
            &["我们", "我", "自己"],
        );
        // "要不找个客服吧" (how about), "难道你们都不安排人工的吗" (a
        // rhetorical question): no negation.
        let how_about = lead.ends_with("要不") && !lead.ends_with("不要不");
        // "再不转人工我就投诉": a threat, the request said as its condition.
        let threat = ["再不", "还不"].iter().any(|t| lead.ends_with(t)) && after.contains('就');
        let rhetorical = clause.contains("难道")
            && clause
                .trim_end_matches([' ', '？', '?'])
                .ends_with(['吗', '么']);
        // "no need 人工": an English negation ending in the English verb.
        let en_negated = verb.is_ascii()
            && ZH_NEG_BEFORE
                .iter()
                .any(|n| n.is_ascii() && head.trim_end().ends_with(n));
        if (ZH_NEG_BEFORE
            .iter()
            .any(|n| lead.ends_with(n) || wish_stripped.ends_with(n))
            || (*verb == "要" && lead.ends_with('不'))
            || en_negated)
            && !how_about
            && !rhetorical
            && !threat
        {
            continue;
        }
        // "上次客服给我转的人工": the verb in a relative clause (转的人工
        // is the one transferred to).
        if before
            .trim_end()
            .strip_suffix('的')
            .is_some_and(|b| ZH_VERBS.iter().any(|v| b.trim_end().ends_with(v)))
        {
            continue;
        }
        // "找客服退款还是在app上退": a choice between ways, a question
        // ("还是转人工吧" chooses, before the verb).
        if after.contains("还是") && !clause.trim_end_matches(['！', '!', ' ']).ends_with('吧')
        {
            continue;
        }
        // "call 客服一直没人接": calls that went unanswered, reported.
        if ["没人接", "打不通", "不接电话", "占线"]
            .iter()
            .any(|w| after.contains(w))
        {
            continue;
        }
        // "我打算明天再找客服": the customer's plan for later.
        if ["明天", "改天", "回头", "晚点", "下次", "过几天", "以后"]
            .iter()
            .any(|t| lead.contains(&format!("{t}再")) || lead.ends_with(t))
            && ["打算", "准备", "再", "会"]
                .iter()
                .any(|p| lead.contains(p))
        {
            continue;
        }
        // "海外的会员怎么联系客服": how a group of customers reaches the
        // service, a question about it (the customer's own "我怎么才能
        // 找到人工" is left to the rules above).
        if ["怎么", "如何", "咋"].iter().any(|h| lead.contains(h))
            && [
                "用户",
                "会员",
                "客户",
                "顾客",
                "乘客",
                "游客",
                "住客",
                "患者",
                "家长",
                "学员",
                "外国人",
                "别人",
            ]
            .iter()
            .any(|g| before.contains(g))
        {
            continue;
        }
        // "转人工要排队多久": a question about the wait, whatever the verb.
        // "转人工是免费的吗": what it costs.
        if [
            "多久",
            "多长时间",
            "排队",
            "几点",
            "什么时候",
            "要等",
            "免费",
            "收费",
            "要钱",
            "付费",
            "花钱",
            // "找教练上课要另外付钱吗": what it costs, said otherwise.
            "付钱",
            "多少钱",
            "另外收",
            "额外收",
            // "转人工按哪个键", "转人工需要什么条件": how it is done.
            "按哪",
            "哪个键",
            "按几",
            "按键",
            "条件",
        ]
        .iter()
        .any(|w| after.contains(w))
        {
            continue;
        }
        // "客服电话是多少", "找客服要多久": asking about the service.
        // "周末能转人工吗": when the service is there, whatever the verb.
        let regular_time = ZH_REGULAR_TIMES.iter().any(|t| clause.contains(t));
        if info
            && (regular_time
                || !matches!(
                    *verb,
                    "转" | "转接" | "转到" | "转给" | "接通" | "叫" | "喊"
                ))
        {
            continue;
        }
        best = best.max(Some(Strength::Explicit));
    }
    if best.is_some() {
        return best;
    }
    if zh_person_request(clause) || zh_talk_with_person(clause) || zh_summons(clause) {
        return Some(Strength::Explicit);
    }
    // "麻烦安排师傅上门看一下", "预约一下上门量尺寸": a visit asked for, a
    // person coming (left to a model when there is one).
    if zh_visit(clause) {
        return Some(Strength::Implied);
    }
    // "你们人呢", "人都去哪了": where the people are.
    let r = strip_prefixes(clause, ZH_FILLERS);
    if ["人呢", "人都去哪", "人去哪", "人都哪去", "人哪去"]
        .iter()
        .any(|p| r.starts_with(p))
    {
        return Some(Strength::Explicit);
    }
    // "有人吗", "有人在吗", "帮我转接一下": someone, anyone, a transfer.
    if ([
        "有人吗",
        "有人在吗",
        "有没有人",
        "有人在不",
        "有人没",
        "有人在线",
        // "有人吱个声吗": someone asked to speak up.
        "有人吱",
        "有人说句话",
        "有人冒泡",
        "有人回个话",
        "人在吗",
        "人在不在",
        "转接",
        // "你们公司没人了吗": nobody there, asked.
        "没人了吗",
        "没人吗",
        "没有人吗",
        "没人在吗",
        "没人理",
    ]
    .iter()
    // 有没有人工… is the object 人工, judged above (有没有人工值机柜台 is a
    // counter), not 有没有人.
    .any(|p| {
        clause.match_indices(p).any(|(at, _)| {
            // "不要转接": declined right before.
            !((p.ends_with('人') && clause[at + p.len()..].starts_with('工'))
                || ZH_NEG_BEFORE
                    .iter()
                    .any(|n| clause[..at].trim_end().ends_with(n)))
        })
    })
        // "有人不", "在不在啊，有人不": the question said with 不 at the end.
        || clause.trim_end_matches(['啊', '呀', '哇', '？', '?', ' ']).ends_with("有人不"))
        && !zh_negated_anywhere(clause)
        // "周末有没有人工可以打电话问": when, a question about the service.
        && !zh_info(clause)
    {
        return Some(Strength::Explicit);
    }
    // "有人管没人管", "这事没人管吗": whether anyone will deal with it.
    if ["有人管", "没人管", "有没有人管"]
        .iter()
        .any(|p| clause.contains(p))
        && !zh_negated_anywhere(clause)
        && !zh_info(clause)
    {
        return Some(Strength::Implied);
    }
    if ZH_CALLBACK.iter().any(|c| {
        clause.match_indices(c).any(|(at, _)| {
            // "快递员打电话给我说放驿站了": a call that happened, reported.
            let tail = &clause[at + c.len()..];
            // "不要 call 我": declined right before.
            let declined = ZH_NEG_BEFORE
                .iter()
                .any(|n| clause[..at].trim_end().ends_with(n));
            !declined && !["说", "了", "过", "的"].iter().any(|p| tail.starts_with(p))
        })
    }) && !zh_negated_anywhere(clause)
        && !ZH_THIRD_PARTIES.iter().any(|t| clause.contains(t))
        // "人工回电一般多久": when, a question about the service; "打过来
        // 用哪个电话": which number, another.
        && !["多久", "多长时间", "几点", "什么时候", "哪个电话", "哪个号", "什么号", "什么电话"]
            .iter()
            .chain(ZH_REGULAR_TIMES)
            .any(|t| clause.contains(t))
    {
        return Some(Strength::Implied);
    }
    // "要求升级处理", "投诉升级": escalating the complaint, no person named
    // ("升级固件", "升级到高级版" upgrade something).
    let escalates = ["升级处理", "升级投诉", "投诉升级", "升级一下投诉"]
        .iter()
        .any(|e| clause.contains(e))
        || ["要求升级", "申请升级", "请求升级", "帮我升级", "给我升级"]
            .iter()
            .any(|e| {
                clause.match_indices(e).any(|(at, _)| {
                    let tail = clause[at + e.len()..].trim_end_matches(ZH_END);
                    tail.is_empty()
                        || ["一下", "处理", "给", "到上"]
                            .iter()
                            .any(|t| tail.starts_with(t))
                })
            });
    // "投诉升级的流程是什么样的", "升级投诉的标准": the escalation named as
    // a thing with a rule or a process, asked about.
    let about_escalation = ["升级的", "升级流程", "升级规则", "升级标准", "升级机制"]
        .iter()
        .any(|e| clause.contains(e));
    if escalates && !about_escalation && !zh_negated_anywhere(clause) && !zh_info(clause) {
        return Some(Strength::Explicit);
    }
    // "把你们经理电话给我", "给我你们主管的联系方式": the number of someone
    // above the agent, to escalate (客服电话 is the service's hotline: info).
    if zh_rank_contact(clause) {
        return Some(Strength::Explicit);
    }
    // "你们这谁管事", "谁说了算": asking who has the say.
    let who_decides = [
        "谁管事",
        "谁说了算",
        "谁能做主",
        "谁做主",
        "谁是管事的",
        "哪个管事",
    ]
    .iter()
    .any(|w| clause.contains(w));
    // "有人能帮我看下吗", "有没有人可以处理": whether someone can help.
    let someone_able = [
        "有人能",
        "有人可以",
        "有没有人能",
        "有没有人可以",
        // "能有人一步步带我操作吗": the modal first.
        "能有人",
        "能不能有人",
        "可以有人",
        "谁能",
        "谁可以",
        // "谁来帮帮我": who will come and help.
        "谁来",
    ]
    .iter()
    .any(|w| {
        clause.match_indices(w).any(|(at, _)| {
            let tail = strip_prefixes(
                &clause[at + w.len()..],
                &["来", "给我", "帮忙", "一步步", "一步一步", "手把手", "耐心"],
            );
            [
                "帮",
                "处理",
                "看",
                "回",
                "解答",
                "解决",
                "管",
                "带我",
                "教我",
                "指导",
                // "有没有人能接一下电话".
                "接电话",
                "接一下电话",
                "接个电话",
                "打电话",
                "联系",
            ]
            .iter()
            .any(|a| tail.starts_with(a))
        })
    }) && !zh_negated_anywhere(clause);
    // "快给我转", "帮我转一下吧": the transfer asked for, no object named.
    let bare_transfer = {
        let c = strip_prefixes(
            clause,
            &[
                "快点", "赶紧", "马上", "快", "请", "麻烦", "那就", "那", "就", "直接",
            ],
        );
        [
            "给我转",
            "帮我转",
            "给我转一下",
            "帮我转一下",
            "转一下",
            "快转",
            "转接一下",
            "转吧",
        ]
        .contains(&c.trim_end_matches(ZH_END))
    };
    if bare_transfer {
        return Some(Strength::Implied);
    }
    // "can someone 帮我看看": an English modal and person, a Chinese act.
    let modal_someone = ["can ", "could ", "would "].iter().any(|m| {
        clause.match_indices(m).any(|(at, _)| {
            let rest = &clause[at + m.len()..];
            [
                "someone",
                "somebody",
                "anyone",
                "a real person",
                "a human",
                "an agent",
            ]
            .iter()
            .find_map(|p| rest.strip_prefix(p))
            .is_some_and(|t| {
                let t = t.trim_start();
                [
                    "帮",
                    "处理",
                    "看",
                    "联系我",
                    "回我",
                    "打给我",
                    "给我打",
                    "跟进",
                    "解决",
                ]
                .iter()
                .any(|a| t.starts_with(a))
            })
        })
    }) && !zh_negated_anywhere(clause);
    if zh_refuses_talk(clause)
        || zh_comes_forward(clause)
        || zh_person_handles(clause)
        || zh_able_person(clause)
        || zh_nobody_able(clause)
        || zh_complains(clause)
        || who_decides
        || someone_able
        || modal_someone
    {
        return Some(Strength::Implied);
    }
    if ZH_BOT.iter().any(|b| clause.contains(b))
        && ZH_BOT_REFUSAL.iter().any(|r| {
            clause.match_indices(r).any(|(at, _)| {
                // 别 inside 识别, 区别, 别人 is no "don't".
                *r != "别"
                    || !(clause[..at].ends_with([
                        '识', '区', '分', '类', '告', '特', '级', '性', '个', '辨', '鉴', '差',
                    ]) || clause[at + r.len()..].starts_with(['人', '的']))
            })
        })
    {
        return Some(Strength::Implied);
    }
    None
}

/// "找个人来处理", "换个人", "找一个真正能负责的人": a request verb, then a
/// classifier and 人, or a description ending in 的人.
pub(super) fn zh_person_request(clause: &str) -> bool {
    ZH_PERSON_VERBS.iter().any(|v| {
        clause.match_indices(v).any(|(i, _)| {
            let lead = &clause[..i];
            let rest = &clause[i + v.len()..];
            // "我不需要人": the negation before the wish that 要 ends.
            let core = lead.trim_end_matches(['需', '想']);
            let negated = ZH_NEG_BEFORE
                .iter()
                .any(|n| lead.ends_with(n) || core.ends_with(n));
            // "换个会说人话的", "叫个管事的": someone described by what they
            // can do, with no noun, after a measure word.
            let description = rest
                .strip_prefix('个')
                .or_else(|| rest.strip_prefix("一个"))
                .or_else(|| rest.strip_prefix('位'))
                .and_then(|d| d.trim_end_matches(ZH_END).strip_suffix('的'))
                .filter(|d| d.chars().count() <= 6);
            let can = |d: &str| ZH_ABLE_DESCRIBED.iter().any(|k| d.contains(k));
            if *v == "来" {
                // Only "来个会说人话的": 来的人 is whoever came.
                return !negated && description.is_some_and(can);
            }
            // "…的人", or "…的人来回答 / 来处理 / 帮我看看".
            let described = desc_len(rest) <= 14
                && rest.find("的人").is_some_and(|at| {
                    let tail = rest[at + "的人".len()..].trim_end_matches(ZH_END);
                    tail.is_empty()
                        || [
                            "来", "过", "出", "帮", "处理", "回答", "看", "联系", "跟", "和", "给",
                            "说", "聊", "沟通", "解释",
                        ]
                        .iter()
                        .any(|a| tail.starts_with(a))
                });
            if matches!(
                *v,
                "联系"
                    | "联络"
                    | "转交给"
                    | "接"
                    | "talk to"
                    | "speak to"
                    | "talk with"
                    | "speak with"
            ) {
                // "联系一下门店的人", not 联系人 (a contact); the English
                // verbs only before a Chinese description (the English
                // reader judges "talk to a person").
                return !negated && described;
            }
            if *v == "给我" {
                // "给我个能做主的人", "给我一个人", not 给我个人信息 nor 给我的人.
                let measured = ["个", "一个", "位", "一位"]
                    .iter()
                    .any(|m| rest.starts_with(m) && !rest.starts_with("个人"));
                let one = ["一个人", "一位"].iter().any(|m| {
                    rest.strip_prefix(m)
                        .is_some_and(|t| t.trim_end_matches(ZH_END).is_empty())
                });
                return !negated
                    && ((measured && (described || description.is_some_and(can))) || one);
            }
            // "找个人来处理", "换个人": not "找个人代收快递" (someone for an
            // errand) nor 个人信息.
            let classifier = ["一个人", "个人", "一位", "位"].iter().any(|c| {
                rest.strip_prefix(c).is_some_and(|t| {
                    let t =
                        strip_prefixes(t, &["人", "吧", "啊", "呀", "了", "来", "过来", "出来"]);
                    t.is_empty()
                        || ZH_TALK.iter().any(|talk| t.starts_with(talk))
                        || [
                            "处理",
                            "帮我看",
                            "帮我查",
                            "帮我处理",
                            "帮我解决",
                            "帮忙看",
                            "帮忙处理",
                            "帮帮我",
                            "帮我把",
                            "帮我办",
                            "帮我弄",
                            "看",
                            "回答",
                            "解答",
                            "问问",
                            "跟我",
                            "和我",
                            "联系",
                            "给我",
                            "管",
                            "解决",
                            "接",
                            "懂",
                            "能",
                            "会",
                            "专门",
                            "负责",
                            "真人",
                            "活人",
                            "客服",
                            "人工",
                            "说了算",
                            "做主",
                            "问",
                            "吗",
                            "呢",
                            "好吗",
                            "行吗",
                            "可以吗",
                            "谢谢",
                            "急",
                        ]
                        .iter()
                        .any(|a| t.starts_with(a))
                })
            });
            // "换人", "我要找人！": the verb and 人 end the clause; or 人
            // is to talk ("找人聊聊").
            // Fillers first: "交给你们的人吧", "找你们的人".
            // "给我换个person", "让staff看一下": an English person word
            // stands for 人 (a whole word).
            let person = strip_prefixes(rest, ZH_FILLERS);
            let bare = ["人", "person", "someone", "somebody", "staff", "people"]
                .iter()
                .find_map(|p| {
                    person.strip_prefix(p).filter(|t| {
                        !(p.is_ascii() && t.starts_with(|c: char| c.is_ascii_alphanumeric()))
                    })
                })
                // "客户经理换人了吗": whether it happened, asked.
                .filter(|t| {
                    !["了吗", "了没", "了么", "了嘛"]
                        .iter()
                        .any(|q| t.starts_with(q))
                })
                .is_some_and(|t| {
                    t.trim_end_matches(ZH_END).is_empty()
                        || ZH_TALK.iter().any(|talk| t.starts_with(talk))
                        // "能安排人联系我吗": the person to reach out;
                        // "找人帮我远程操作一下": to help or look.
                        || ["联系我", "回我", "给我打", "打给我", "来处理", "处理"]
                            .iter()
                            .any(|a| t.starts_with(a))
                        // "请尽快派人联系", "我需要人帮忙": the act ends it.
                        || ["联系", "联系一下", "帮忙", "帮帮忙", "回电", "回复"]
                            .contains(&t.trim_end_matches(ZH_END))
                        || ([
                            "帮我看", "帮我查", "帮我处理", "帮我远程", "帮我解决", "帮忙看",
                            "帮忙处理", "看一下", "看看", "看下", "查", "核实", "跟进", "指导",
                        ]
                        .iter()
                        .any(|a| t.starts_with(a))
                            // "找人看过了": what was done.
                            && !t.chars().take(4).any(|c| matches!(c, '了' | '过')))
                });
            let able = description.is_some_and(|d| d.contains('人') || can(d));
            // "我要找你们": the company's people, wished for, the clause's end.
            let you_all = matches!(*v, "找")
                && ["要", "想"].iter().any(|w| lead.contains(w))
                && ["你们", "你们的人"].contains(&rest.trim_end_matches(ZH_END));
            // "能让懂行的来回答吗", "叫管事的出来": no measure word, the
            // described person coming or acting.
            let able_comes = ["让", "叫", "请", "找", "派"].contains(v)
                && rest.find('的').is_some_and(|at| {
                    let (d, tail) = (&rest[..at], &rest[at + '的'.len_utf8()..]);
                    let tail =
                        tail.trim_end_matches(['吧', '啊', '呀', '吗', '呢', '了', '哈', ' ']);
                    d.chars().count() <= 6
                        && (d.contains('人') || can(d))
                        && [
                            "来", "过来", "出来", "回答", "处理", "帮", "跟我", "和我", "联系",
                        ]
                        .iter()
                        .any(|a| tail.starts_with(a))
                });
            let able = able || able_comes;
            !negated && (classifier || described || bare || able || you_all)
        })
    }) || zh_transfer_to_described(clause)
}

/// Whether 约 / 预约 before `object` books a conversation with someone of
/// the business ("约一下理财顾问", "预约客户经理面谈"), not a service or
/// a word of its own: a doctor, a coach or a technician booked is the
/// service itself (预约医生, 约私教), and 大约, 签约, 合约 are no booking.
fn zh_books_talk(head: &str, object: &str, after: &str, clause: &str) -> bool {
    let lead = head.trim_end_matches("预约").trim_end_matches('约');
    if !head.ends_with("预约")
        && lead.ends_with(|c: char| "大节合签相邀契条公制违解履隐".contains(c))
    {
        return false;
    }
    let staff = [
        "顾问",
        "经理",
        "专员",
        "主管",
        "客服",
        "人工",
        "负责人",
        "管家",
        "坐席",
        "真人",
    ]
    .iter()
    .any(|s| object.ends_with(s));
    let talk = [
        "面谈",
        "面聊",
        "聊",
        "谈",
        "沟通",
        "见面",
        "通话",
        "通个电话",
        "视频",
    ]
    .iter()
    .any(|t| after.contains(t) || clause.contains(t));
    staff || talk
}

/// "给我转个能处理退款的人": 转 to a person described by what they can do
/// (not 转个人账户: only a description ending in 的人).
fn zh_transfer_to_described(clause: &str) -> bool {
    let transfer = clause.match_indices('转').any(|(i, _)| {
        let rest = &clause[i + '转'.len_utf8()..];
        let rest = strip_prefixes(rest, &["一下", "给我", "个", "一个", "位", "一位"]);
        rest.chars().count() <= 14
            && ZH_ABLE.iter().any(|a| rest.starts_with(a))
            && rest.trim_end_matches(ZH_END).ends_with("的人")
            && !ZH_NEG_BEFORE.iter().any(|n| clause[..i].ends_with(n))
    });
    // "能不能让负责贷款审批的人看一下我的材料": someone described by what
    // they do, made to act for the customer.
    transfer
        || ["让", "请", "叫"].iter().any(|v| {
            clause.match_indices(v).any(|(i, _)| {
                let rest = &clause[i + v.len()..];
                let rest = strip_prefixes(rest, &["一下", "个", "一个", "位", "一位"]);
                ZH_ABLE.iter().any(|a| rest.starts_with(a))
                    && rest.find("的人").is_some_and(|at| {
                        rest[..at].chars().count() <= 10
                            && ["看", "帮", "处理", "联系", "回", "跟我", "给我", "来"]
                                .iter()
                                .any(|act| rest[at + "的人".len()..].starts_with(act))
                    })
                    && !ZH_NEG_BEFORE.iter().any(|n| clause[..i].ends_with(n))
            })
        })
}

/// Verbs of talking with someone (说 last: 说话 is the longer word).
pub(super) const ZH_TALK: &[&str] = &[
    "说话",
    // Northern: 找个人唠唠.
    "唠",
    "聊",
    "沟通",
    "交流",
    "谈",
    "对话",
    "讲",
    "商量",
    "解释",
    "反映",
    "说",
    // By phone or face to face: 跟你们的人通个电话.
    "通个电话",
    "讨论",
    "协商",
    // Checking something with them: 跟真人客服确认一下.
    "确认",
    "核实",
    "核对",
    "通电话",
    "打个电话",
    "打电话",
    "见面",
    "视频",
    // Face to face: 跟你们的人面谈一下.
    "面谈",
    "面聊",
];

/// Adverbs between the person and the talking ("跟人当面说清楚").
pub(super) const ZH_TALK_ADVERBS: &[&str] = &["当面", "直接", "好好", "单独", "亲自", "一起"];

/// "我要和人说话", "想跟真人聊", "跟你们的人当面说清楚": talking with a
/// (real) person, not negated.
pub(super) fn zh_talk_with_person(clause: &str) -> bool {
    ["和", "跟", "同", "与"].iter().any(|with| {
        clause.match_indices(with).any(|(i, _)| {
            let rest = strip_prefixes(&clause[i + with.len()..], ZH_FILLERS);
            // "跟懂行的人讨论": a person described by what they can do;
            // "想跟你们后台的人说一下": by where they work, after a wish.
            let wished = ["想", "要", "需要", "让我", "能", "可以", "麻烦", "希望"]
                .iter()
                .any(|w| clause[..i].contains(w));
            let rest = match rest.find("的人") {
                Some(at)
                    if rest[..at].chars().count() <= 5
                        && (ZH_ABLE.iter().any(|a| rest.starts_with(a))
                            || (wished && rest[..at].chars().count() <= 4)) =>
                {
                    &rest[at + "的".len()..]
                }
                _ => rest,
            };
            let rest = rest
                .strip_prefix("真人")
                .or_else(|| rest.strip_prefix("活人"))
                .or_else(|| rest.strip_prefix("人"))
                .map(|r| strip_prefixes(r, ZH_TALK_ADVERBS));
            // Not a time clause ("跟人说话的时候门锁会响吗").
            // The longest talk verb only: 说话的时候 is not 说 + 话的时候.
            let talks = rest.is_some_and(|r| {
                ZH_TALK
                    .iter()
                    .find_map(|t| r.trim_start().strip_prefix(t))
                    .is_some_and(|after| !after.starts_with("的时候") && !after.starts_with('时'))
            });
            talks && !ZH_NEG_BEFORE.iter().any(|n| clause[..i].ends_with(n))
        })
    }) || zh_face_to_face(clause)
}

/// "这事我要当面跟你们谈": talking with the company's people in person,
/// wished for (a bare 你们 is the bot otherwise).
fn zh_face_to_face(clause: &str) -> bool {
    let wished = ["要", "想", "希望", "必须", "得"]
        .iter()
        .any(|w| clause.contains(w));
    wished
        && !zh_negated_anywhere(clause)
        && [
            "当面跟你们",
            "当面和你们",
            "跟你们当面",
            "和你们当面",
            "当面找你们",
        ]
        .iter()
        .any(|p| {
            clause.match_indices(p).any(|(at, _)| {
                let tail = strip_prefixes(&clause[at + p.len()..], ZH_TALK_ADVERBS);
                tail.is_empty() || ZH_TALK.iter().any(|t| tail.starts_with(t))
            })
        })
}

/// Trailing particles.
pub(super) const ZH_END: &[char] = &['吧', '啊', '呀', '吗', '呢', '了', '来', '哈', ' '];

pub(super) fn zh_negated_anywhere(clause: &str) -> bool {
    ["不用", "不需要", "不必", "别", "无需"]
        .iter()
        .any(|n| clause.contains(n))
}

// ---------------------------------------------------------------- English

/// "你们负责人是谁，让他来处理": a pronoun asked to come or act, in a
/// message that names a person elsewhere (the pronoun stands for them).
pub(super) fn zh_pronoun_request(text: &str) -> bool {
    // Computed only when a clause has the pronoun's form (it scans the
    // whole message).
    // "谁负责退款的？让他跟我说": the person asked for by their charge.
    let names_person = || {
        let chars: Vec<char> = text.chars().collect();
        ["谁负责", "谁管", "哪位负责"]
            .iter()
            .any(|w| text.contains(w))
            || (0..chars.len()).any(|i| zh_object_at(&chars, i).is_some())
    };
    // "只能人工处理了？那你帮我转过去": a transfer with the person named
    // in another clause.
    let transfer_it = |clause: &str| {
        let c = clause.trim_end_matches(ZH_END);
        [
            "帮我转过去",
            "给我转过去",
            "帮我转一下",
            "给我转一下",
            "那就转吧",
            "那你转吧",
        ]
        .iter()
        .any(|t| c.ends_with(t))
            && !zh_negated_anywhere(clause)
            && !ZH_NEG_BEFORE.iter().any(|n| c.contains(&format!("{n}转")))
    };
    // "你们领导是谁，我要见他": the customer wishing to meet or talk to
    // the person named elsewhere.
    let meet_them = |clause: &str| {
        let c = clause.trim_end_matches(ZH_END);
        [
            "见他",
            "见她",
            "找他",
            "找她",
            "跟他说",
            "跟他谈",
            "和他谈",
            "见他们",
        ]
        .iter()
        .any(|t| c.ends_with(t))
            && ["要", "想"].iter().any(|w| c.contains(w))
            && !zh_negated_anywhere(clause)
            && !ZH_NEG_BEFORE.iter().any(|n| c.contains(&format!("{n}见")))
    };
    clauses(text).any(|clause| {
        transfer_it(clause)
            || meet_them(clause)
            || ["让", "叫", "请", "喊"].iter().any(|v| {
                clause.match_indices(v).any(|(i, _)| {
                    let rest = &clause[i + v.len()..];
                    let after_pronoun = ["他们", "她们", "他", "她", "ta"]
                        .iter()
                        .find_map(|p| rest.strip_prefix(p));
                    let acts = after_pronoun.is_some_and(|r| {
                        [
                            "来",
                            "出来",
                            "过来",
                            "联系我",
                            "给我打",
                            "打给我",
                            "回电",
                            "处理",
                            "跟我",
                            "和我",
                        ]
                        .iter()
                        .any(|a| r.trim_start().starts_with(a))
                    });
                    acts && !ZH_NEG_BEFORE.iter().any(|n| clause[..i].ends_with(n))
                })
            })
    }) && names_person()
}

/// "来人啊", "快来个人", "你们这能不能来个人": summoning someone; and
/// "这种问题还是得人来处理": saying a person must come and act.
pub(super) fn zh_summons(clause: &str) -> bool {
    // "这个得你们那边的人来确认": the business's people, named by where
    // they are, between the modal and the person.
    let must = ["得", "需要", "要", "还是要", "必须"].iter().any(|m| {
        clause.match_indices(m).any(|(at, _)| {
            let rest = strip_prefixes(
                &clause[at + m.len()..],
                &[
                    "你们那边的",
                    "你们那边",
                    "你们的",
                    "你们",
                    "贵司的",
                    "专门的",
                ],
            );
            ["人来", "人工来", "真人来", "同事来", "工作人员来"]
                .iter()
                .find_map(|who| rest.strip_prefix(who))
                .is_some_and(|tail| {
                    [
                        "处理", "解决", "看", "帮", "回答", "解答", "管", "确认", "核实", "判断",
                        "操作", "跟进",
                    ]
                    .iter()
                    .any(|a| tail.starts_with(a))
                })
                && !ZH_NEG_BEFORE.iter().any(|n| clause[..at].ends_with(n))
                && !clause[..at].ends_with('不')
                && !clause[..at].trim_end_matches('需').ends_with(['不', '无'])
        })
    });
    // "这事得你们的人出面", "必须有人工介入": a person of theirs, said
    // to be needed to step in.
    let step_in = ["得", "需要", "要", "必须", "只能"].iter().any(|m| {
        clause.match_indices(m).any(|(at, _)| {
            let rest = strip_prefixes(
                &clause[at + m.len()..],
                &["你们的", "你们", "贵司的", "专门的", "有"],
            );
            ["真人", "人工", "活人", "人"]
                .iter()
                .find_map(|p| rest.strip_prefix(p))
                .is_some_and(|t| {
                    ["出面", "介入", "来出面", "来介入"]
                        .iter()
                        .any(|a| t.starts_with(a))
                })
                && !ZH_NEG_BEFORE.iter().any(|n| clause[..at].ends_with(n))
                // "不需要有人出面": 要 of a negated 需要.
                && !clause[..at].trim_end_matches('需').ends_with(['不', '无'])
        })
    });
    if must || step_in {
        return true;
    }
    // "能不能有个人来管管", "可以有人来处理吗", "能不能马上有人打电话指导
    // 一下", "能不能有个活人给我处理一下": asking that someone come or act.
    let someone_comes = [
        "有个活人",
        "有个真人",
        "有个专人",
        // "希望有工作人员能回电说明情况".
        "有工作人员",
        "有个人",
        "有一个人",
        "有人",
        "有谁",
    ]
    .iter()
    .any(|call| {
        clause.match_indices(call).any(|(at, _)| {
            let tail = strip_prefixes(
                &clause[at + call.len()..],
                &[
                    "来", "给我", "帮忙", "马上", "尽快", "赶紧", "直接", "能", "可以",
                ],
            );
            let lead = strip_suffixes(
                &clause[..at],
                &[
                    "马上", "尽快", "赶紧", "现在", "快点", "立刻", "及时", "今天",
                ],
            );
            [
                "管",
                "处理",
                "帮",
                "看",
                "解决",
                "回",
                "跟进",
                "打电话",
                "打个电话",
                "联系",
                "指导",
                "教",
                // "啥时候能有个真人理我一下".
                "理我",
                // "我需要有人给个解释", "必须有人给我个说法".
                "给个解释",
                "给我个解释",
                "给个说法",
                "给我个说法",
                "给我一个说法",
                // "最好有个专人跟我电话沟通".
                "跟我电话",
                "跟我沟通",
                "和我沟通",
                "跟我联系",
                "和我联系",
            ]
            .iter()
            .any(|a| tail.starts_with(a))
                && [
                    "能不能",
                    "可不可以",
                    "可以",
                    "能",
                    "得",
                    "必须",
                    "需要",
                    "快",
                    "赶紧",
                    "请",
                    "最好",
                    "我需要",
                    "希望",
                ]
                .iter()
                .any(|m| lead.ends_with(m))
        })
    });
    if someone_comes && !zh_negated_anywhere(clause) {
        return true;
    }
    // "喊个人来", "叫个人来帮我开一下门": someone called to come.
    [
        "来人",
        "来个人",
        "来一个人",
        "来个活人",
        "喊个人来",
        "叫个人来",
        "喊人来",
        // "快派人过来", "赶紧派个人来": someone sent for.
        "派人过来",
        "派人来",
        "派个人过来",
        "派个人来",
        // "找个人教我", "辛苦找个人帮我催一下": someone found to act.
        "找个人",
    ]
    .iter()
    .any(|call| {
        clause.match_indices(call).any(|(at, _)| {
            let lead = strip_suffixes(strip_prefixes(&clause[..at], ZH_POLITE), &["这边", "这"]);
            let lead = strip_prefixes(lead, ZH_POLITE);
            let asked = lead.is_empty()
                || [
                    "能不能",
                    "可不可以",
                    "可以",
                    "能",
                    "快",
                    "赶紧",
                    "请",
                    "麻烦",
                    "辛苦",
                ]
                .iter()
                .any(|m| lead.ends_with(m));
            let tail = clause[at + call.len()..].trim_end_matches(ZH_END);
            let acts = tail.is_empty()
                || ["帮", "处理", "管", "看", "教"]
                    .iter()
                    .any(|a| tail.starts_with(a));
            // Someone found acts for the customer themself ("找个人帮我催一下";
            // not "能找个人帮忙代收吗", someone of the customer's own).
            let acts = acts
                && (*call != "找个人"
                    || ["帮我", "教我", "看看", "看一下", "处理"]
                        .iter()
                        .any(|a| tail.starts_with(a)));
            asked && acts && !zh_negated_anywhere(&clause[..at])
        })
    })
}

/// `head` without a short description after a measure word ("找个专业的"
/// → "找"), when there is one.
pub(super) fn zh_described(head: &str) -> Option<&str> {
    let desc_end = head.strip_suffix('的')?;
    ["一个", "一位", "个", "位"]
        .iter()
        .find_map(|m| {
            let at = desc_end.rfind(m)?;
            let desc = &desc_end[at + m.len()..];
            // The measure word must follow a verb (not 这个订单).
            let head = strip_suffixes(&desc_end[..at], ZH_FILLERS);
            (!desc.is_empty() && desc_len(desc) <= 5 && ZH_VERBS.iter().any(|v| head.ends_with(v)))
                .then_some(head)
        })
        .or_else(|| {
            // No measure word: "让懂技术的师傅来", "找能做主的经理"; the
            // description says what the person can do.
            ZH_ABLE.iter().find_map(|a| {
                let at = desc_end.rfind(a)?;
                let desc = &desc_end[at..];
                // "找一下负责我这个订单的客服": up to eight.
                (desc.chars().count() <= 8).then(|| strip_suffixes(&desc_end[..at], ZH_FILLERS))
            })
        })
}

/// `before` without "营业厅的" / "仓库的" when a verb of reaching stands
/// right before it: the place the person works.
fn zh_where_from(before: &str) -> Option<&str> {
    let place = before.strip_suffix('的')?;
    // An English place: "找 admissions office 的老师", "billing 的人"
    // (up to three words).
    let trimmed = place.trim_end();
    if trimmed.ends_with(|c: char| c.is_ascii_alphabetic()) {
        let start = trimmed
            .rfind(|c: char| !(c.is_ascii_alphabetic() || c == ' '))
            .map_or(0, |at| {
                at + trimmed[at..].chars().next().map_or(1, char::len_utf8)
            });
        let words = trimmed[start..].split_whitespace().count();
        let head = strip_suffixes(trimmed[..start].trim_end(), ZH_FILLERS);
        return (words <= 3
            && [
                "找",
                "联系",
                "联络",
                "转",
                "接",
                "叫",
                "转接",
                "转给",
                "connect",
                "find",
                "transfer",
                "contact",
                "转去",
                "transfer 去",
                "transfer去",
            ]
            .iter()
            .any(|v| head.trim_end().ends_with(v)))
        .then_some(head.trim_end());
    }
    let chars: Vec<(usize, char)> = place.char_indices().collect();
    // Up to six: "联系给我装宽带的师傅" (what the person did for the customer).
    (1..=6.min(chars.len())).find_map(|k| {
        let (at, first) = chars[chars.len() - k];
        let head = strip_suffixes(&place[..at], ZH_FILLERS);
        // "派送的师傅", "接送的司机": the verb's character and the place's
        // first make one word (a delivery, a transfer), not verb + place.
        if head.len() == place[..at].len()
            && head.chars().next_back().is_some_and(|v| {
                let word: String = [v, first].iter().collect();
                ZH_VERB_WORDS.contains(&word.as_str())
            })
        {
            return None;
        }
        // 安排 / 派 / 让 / 请 someone of a place: 请安排社区的工作人员上门.
        [
            "找", "联系", "联络", "转", "接", "叫", "转接", "转给", "安排", "派", "让", "请",
        ]
        .iter()
        .any(|v| head.ends_with(v))
        .then_some(head)
    })
}

/// Words that start with a request verb's character but are no request
/// (派送 is delivering, 转账 a payment, 接送 a pick-up).
const ZH_VERB_WORDS: &[&str] = &[
    "派送", "派件", "派发", "派出", "转账", "转运", "转发", "转移", "接送", "接收", "接待", "接单",
    "叫车", "请假", "找零",
];

/// A description's length: Chinese characters, and an English word
/// counted once ("English speaking的客服").
fn desc_len(desc: &str) -> usize {
    let cjk = desc.chars().filter(|c| !c.is_ascii()).count();
    let latin = desc
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .count();
    cjk + latin
}

/// What makes a description with no noun a person ("会说人话的",
/// "说了算的", "管事的"): not 能 or 会 alone ("能用的" is a thing).
pub(super) const ZH_ABLE_DESCRIBED: &[&str] = &[
    "懂",
    // 能说人话的: who speaks like a person.
    "说人话",
    "会说",
    "做主",
    "管事",
    "负责",
    "明白",
    "算数",
    "说了算",
    "专业",
    // 能拍板的, 能拿主意的, 有权限的: who can decide.
    "拍板",
    "拿主意",
    "做决定",
    "有权限",
    "说得上话",
    "管得了",
];

/// Words that describe a person by what they can do (懂技术的, 能做主的).
pub(super) const ZH_ABLE: &[&str] = &[
    // 专门处理退款的人: whose job it is.
    "专门",
    "懂",
    "能",
    "会",
    "可以",
    "管事",
    "负责",
    "做主",
    "说了算",
    "说话算数",
    "专业",
    "靠谱",
    // 熟悉企业用电的, 了解我情况的, 擅长理赔的: who knows the matter.
    "熟悉",
    "了解",
    "精通",
    "擅长",
];

/// Third parties whose calls are not the service's (快递员给我打电话).
pub(super) const ZH_THIRD_PARTIES: &[&str] = &[
    "快递", "骑手", "司机", "外卖", "物流", "邻居", "家人", "朋友",
];

/// "有没有能说话算数的人", "有没有懂行的人": asking whether there is a
/// person who can do something (a person with a power the bot lacks).
pub(super) fn zh_able_person(clause: &str) -> bool {
    // "有专门处理退款的人吗": 有 alone, in a yes-no question.
    let asked = clause
        .trim_end_matches([' ', '？', '?'])
        .ends_with(['吗', '么', '嘛']);
    let Some(at) = clause
        .find("有没有")
        .map(|a| a + "有没有".len())
        .or_else(|| asked.then(|| clause.rfind('有').map(|a| a + '有'.len_utf8()))?)
    else {
        return false;
    };
    let rest = clause[at..].trim_end_matches(ZH_END);
    let rest = rest
        .strip_prefix("个")
        .or_else(|| rest.strip_prefix("一个"))
        .unwrap_or(rest);
    rest.strip_suffix("的人").is_some_and(|desc| {
        desc.chars().count() <= 6
            && ZH_ABLE.iter().any(|a| desc.starts_with(a))
            && !zh_negated_anywhere(clause)
    })
}

/// "你们就没有一个能说人话的吗", "难道没有懂行的人吗": a rhetorical
/// question that nobody able is there, asking for one.
pub(super) fn zh_nobody_able(clause: &str) -> bool {
    let asked = clause
        .trim_end_matches([' ', '？', '?', '了'])
        .ends_with(['吗', '么', '嘛']);
    asked
        && clause.match_indices("没有").any(|(at, _)| {
            let rest = clause[at + "没有".len()..].trim_end_matches(ZH_END);
            let rest = strip_prefixes(rest, &["一个", "个", "一位", "位"]);
            let desc = rest
                .strip_suffix("的人")
                .or_else(|| rest.strip_suffix('的'));
            desc.is_some_and(|d| {
                desc_len(d) <= 6 && ZH_ABLE_DESCRIBED.iter().any(|k| d.contains(k))
            })
        })
}

/// "我要投诉你们", "我想投诉": a complaint against the company, said as a
/// clause of its own (an escalation; "怎么投诉" and a complaint about a
/// courier are something else).
pub(super) fn zh_complains(clause: &str) -> bool {
    let c = strip_prefixes(clause.trim_end_matches(ZH_END), &["我"]);
    // "想投诉一下你们的服务": the company (or nothing) as what is
    // complained about.
    ["要投诉", "想投诉", "要求投诉", "必须投诉"]
        .iter()
        .any(|v| {
            c.strip_prefix(v).is_some_and(|rest| {
                let rest = strip_prefixes(rest, &["一下"]);
                // Not a third party of theirs ("我要投诉你们的快递").
                rest.is_empty()
                    || ((rest.starts_with("你们")
                        || rest.starts_with('你')
                        // "我想投诉这家店": this business, by its kind.
                        || rest.starts_with("这家")
                        || rest.starts_with("贵"))
                        && rest.chars().count() <= 8
                        && !ZH_THIRD_PARTIES.iter().any(|t| rest.contains(t)))
            })
        })
}

/// "你们得派个人出面", "总得有人站出来负责吧", "让管事的出来说话": someone of
/// the business demanded to come forward and answer for the matter (an
/// implied request). Not what happened ("经理已经出面道歉了"), not a
/// procedure of the customer's own (需要本人出面办理吗, 出面担保), and not
/// declined ("不用 manager 出面了").
pub(super) fn zh_comes_forward(clause: &str) -> bool {
    const ACTS: &[&str] = &[
        "出面",
        "站出来",
        "出来负责",
        "出来给个说法",
        "出来给个交代",
        "出来解释",
        // 出来说话, 出来说句话.
        "出来说",
        "出来处理",
        "出来道歉",
        "出来对接",
        // Answering for it without coming out: 必须有个人给我说法.
        "给我说法",
        "给我个说法",
        "给个说法",
        "给我一个说法",
        "给我交代",
        "给我个交代",
        "给个交代",
        "给我一个交代",
        "给我个解释",
        "给个解释",
        "给我一个解释",
    ];
    // Every act has 出, or 给 and what is given (a cheap first look: most
    // clauses have neither).
    let given =
        clause.contains('给') && ["说法", "交代", "解释"].iter().any(|a| clause.contains(a));
    if !clause.contains('出') && !given {
        return false;
    }
    let Some(at) = ACTS.iter().filter_map(|a| clause.find(a)).min() else {
        return false;
    };
    let before = &clause[..at];
    // Someone: a person word, or anyone at all (有个人, 有人, 管事的).
    let someone = [
        "有个人",
        "有人",
        "一个人",
        "个人",
        "负责人",
        "管事的",
        "做主的",
        "领导",
        "person",
        "manager",
        "someone",
        "老板",
        "经理",
        "店长",
        "主管",
    ]
    .iter()
    .any(|p| before.contains(p));
    // Demanded: an obligation, an order, or a rhetorical 就没有…吗.
    let demanded = [
        "得",
        "必须",
        // 应该, 总该.
        "该",
        "让",
        "叫",
        "派",
        "请",
        "就没有",
        "难道没有",
        "赶紧",
        "快",
    ]
    .iter()
    .any(|d| before.contains(d));
    // "应该有人出面处理吗": asking whether, unless rhetorical (就没有…吗).
    let asks_whether = clause.trim_end_matches(ZH_END).len() < clause.len()
        && clause.ends_with('吗')
        && !["就没有", "难道"].iter().any(|r| before.contains(r));
    let done_or_own = [
        "已经", "上次", "之前", "刚才", "本人", "担保", "办理", "作证", "了解", "说过",
    ]
    .iter()
    .any(|w| clause.contains(w))
        || clause[at..].contains('了') && !clause.ends_with("吧");
    someone && demanded && !asks_whether && !done_or_own && !zh_negated_anywhere(clause)
}

/// "人工帮我处理下退款", "客服给我查一下": the person, as the clause's
/// subject, asked to act for the customer (an implied request). Not done
/// already ("客服帮我处理好了", "人工帮我退过了").
pub(super) fn zh_person_handles(clause: &str) -> bool {
    const ACTS: &[&str] = &[
        "处理", "看", "查", "弄", "办", "解决", "退", "核实", "跟进", "对接",
    ];
    // Every form has one of the acts (a cheap first look).
    if !ACTS
        .iter()
        .chain(&["handle", "check"])
        .any(|a| clause.contains(a))
    {
        return false;
    }
    let done = |rest: &str| ["了", "过", "好", "完"].iter().any(|p| rest.contains(p));
    // "能让人来看看我的订单吗", "派人来处理一下": someone sent to act on
    // the matter (not "让人很失望", which has no 来 + act).
    let sent = [
        "让人来",
        "派人来",
        "叫人来",
        "派个人来",
        "叫个人来",
        "找人来",
    ]
    .iter()
    .find_map(|s| {
        clause
            .find(s)
            .map(|at| (&clause[..at], &clause[at + s.len()..]))
    })
    // "物业说会派人来看看": what someone will do, told, not asked.
    .filter(|(before, _)| !before.contains('说') && !before.ends_with('会'))
    .is_some_and(|(_, rest)| {
        let rest = strip_prefixes(rest, &["帮我", "给我", "跟我"]);
        ACTS.iter().any(|a| rest.starts_with(a)) && !done(rest) && !clause.contains("上门")
    });
    if sent && !zh_negated_anywhere(clause) {
        return true;
    }
    let c = strip_prefixes(clause, &["请", "麻烦", "让", "叫", "那", "还是"]);
    let chars: Vec<char> = c.chars().collect();
    let Some(len) = zh_object_at(&chars, 0) else {
        return false;
    };
    let object: String = chars[..len].iter().collect();
    if !zh_listed(&object) {
        return false;
    }
    let after: String = chars[len..].iter().collect();
    // "人工处理吧", "人工 handle 一下吧": the person named, then the act
    // alone, suggested (not "人工处理需要几天", a question about it).
    let suggested = strip_prefixes(after.trim_start(), &["来"]);
    if ["处理", "解决", "跟进", "handle", "check"]
        .iter()
        .find_map(|a| suggested.strip_prefix(a))
        .is_some_and(|r| {
            let r = strip_prefixes(r.trim_start(), &["一下", "下"]);
            r.is_empty() || r == "吧" || r == "好吗"
        })
        && !zh_negated_anywhere(clause)
    {
        return true;
    }
    let Some(rest) = ["帮我", "给我", "替我", "来帮我", "来给我"]
        .iter()
        .find_map(|w| after.strip_prefix(w))
    else {
        return false;
    };
    ACTS.iter().any(|a| rest.starts_with(a)) && !done(rest) && !zh_negated_anywhere(clause)
}

/// "我不想跟程序聊了", "别再和机器说了", "不想跟你聊": refusing to go on
/// talking with the bot (an implied request; the model may disagree).
pub(super) fn zh_refuses_talk(clause: &str) -> bool {
    // "我不跟程序说话": a bare 不 before 跟 refuses as well.
    ["不想", "不要", "别", "不愿意", "不愿", "懒得", "不再", "不"]
        .iter()
        .any(|neg| {
            clause.match_indices(neg).any(|(at, _)| {
                let rest = strip_prefixes(&clause[at + neg.len()..], &["再", "继续", "还"]);
                // "不要再用程序回我了", "别拿模板话术糊弄我": the bot as the
                // means of answering, not only as the one talked with.
                // (不用 is "no need": only 不跟 / 不和 after a bare 不.)
                let Some(rest) = ["跟", "和", "同", "与", "用", "拿"]
                    .iter()
                    .filter(|w| *neg != "不" || !matches!(**w, "用" | "拿"))
                    .find_map(|w| rest.strip_prefix(w))
                else {
                    return false;
                };
                // ("别用 auto-reply 回我": a space before an English word.)
                let rest = strip_prefixes(rest.trim_start(), &["你们", "你", "这个", "这", "个"]);
                let rest = [
                    "程序",
                    "机器",
                    "ai",
                    "bot",
                    "auto-reply",
                    "自动回复",
                    "模板",
                    "模版",
                    "话术",
                    "套话",
                ]
                .iter()
                .find_map(|b| rest.strip_prefix(b))
                .map(|r| strip_prefixes(r, &["话术", "套话", "来"]))
                .or_else(|| {
                    // "跟你聊": the pronoun alone is the bot.
                    clause[at + neg.len()..].contains('你').then_some(rest)
                });
                rest.is_some_and(|r| {
                    let r = strip_prefixes(r, &["人", "再", "继续"]);
                    [
                        "聊", "说", "沟通", "对话", "讲", "废话", "扯", "交流", "回", "答", "糊弄",
                        "敷衍", "应付", "打发", "接待",
                    ]
                    .iter()
                    .any(|t| r.starts_with(t))
                })
            })
        })
}

/// Who may be quoted ("他们说要转人工才能退", "听我同事说你们转人工很慢"):
/// anyone but the customer and the bot addressed.
const ZH_SPEAKERS: &[&str] = &[
    "先生",
    "太太",
    "妻子",
    "丈夫",
    "孩子",
    "儿子",
    "女儿",
    "他",
    "她",
    "他们",
    "她们",
    "人家",
    "别人",
    "朋友",
    "同事",
    "家人",
    "老婆",
    "老公",
    "妈",
    "爸",
    "网上",
    "大家",
    "客服",
    "店员",
    "快递员",
    "师傅",
    "邻居",
    "群里",
    "有人",
    "机器人",
    "经理",
    "主管",
    "售后",
    "官网",
    "说明书",
    // Other businesses' people, quoted: 前台说要找客服才能开发票.
    "前台",
    "医生",
    "护士",
    "教练",
    "老师",
    "大夫",
    "顾问",
    "工作人员",
    "司机",
];

/// A clause reporting what someone else said ("他们说要转人工才能退",
/// "听我同事说…", "据说…"): a request inside it is theirs, not the
/// customer's. "跟他说让他回电" tells someone, and still asks.
pub(super) fn zh_reported_speech(clause: &str) -> bool {
    // "我先生上次要求转人工": someone else's request, told as past.
    let other = strip_prefixes(clause, &["我家", "我的", "我们家", "我"]);
    if ZH_SPEAKERS
        .iter()
        .any(|s| other.starts_with(s) && !matches!(*s, "客服" | "经理" | "主管" | "售后"))
        && [
            "上次",
            "之前",
            "昨天",
            "前天",
            "以前",
            "那天",
            "上周",
            "上个月",
            "去年",
            "刚才",
        ]
        .iter()
        .any(|t| clause.contains(t))
    {
        return true;
    }
    if ["听说", "据说", "听人说", "听别人说"]
        .iter()
        .any(|p| clause.contains(p))
    {
        return true;
    }
    // "听我同事说": hearing someone say.
    if let Some(at) = clause.find('听') {
        let tail: String = clause[at..].chars().take(8).collect();
        if tail.contains('说') {
            return true;
        }
    }
    ["说", "告诉我", "让我", "叫我"].iter().any(|say| {
        clause.match_indices(say).any(|(at, _)| {
            // 说话, 说明: other words.
            if *say == "说" && clause[at + say.len()..].starts_with(['话', '明', '句', '不', '清'])
            {
                return false;
            }
            let lead = strip_suffixes(
                &clause[..at],
                &[
                    "也", "都", "还", "就", "跟我", "和我", "对我", "一直", "之前", "上次", "昨天",
                ],
            );
            ZH_SPEAKERS.iter().any(|s| {
                lead.strip_suffix(s).is_some_and(|before| {
                    // "找客服说清楚", "跟他说": the customer talking to them.
                    // "请你们真人客服跟我说": asked to talk, not quoted.
                    let before = strip_suffixes(before, ZH_FILLERS);
                    !["对", "告诉"]
                        .iter()
                        .chain(ZH_VERBS)
                        .any(|v| before.ends_with(v))
                        && ![
                            "请",
                            "让",
                            "叫",
                            "麻烦",
                            "要",
                            "找",
                            "想",
                            "帮",
                            "能不能",
                            "可以",
                        ]
                        .iter()
                        .any(|v| before.contains(v))
                })
            })
        })
    })
}

/// "把你们经理电话给我", "我要你们领导的手机号": asking for the contact of
/// someone above the agent, an escalation. Not a time question ("经理电话几点
/// 能打通").
fn zh_rank_contact(clause: &str) -> bool {
    const RANKS: &[&str] = &[
        "经理",
        "主管",
        "领导",
        "负责人",
        "老板",
        "上级",
        "上司",
        "店长",
    ];
    const CONTACT: &[&str] = &["电话", "手机", "联系方式", "微信", "号码"];
    RANKS.iter().any(|r| {
        clause.match_indices(r).any(|(at, _)| {
            let after = &clause[at + r.len()..];
            let after = after.strip_prefix('的').unwrap_or(after);
            CONTACT.iter().any(|c| after.starts_with(c))
                && [
                    "给我",
                    "给一下",
                    "发我",
                    "告诉我",
                    "我要",
                    "要",
                    "把",
                    "求",
                    "多少",
                ]
                .iter()
                .any(|w| clause.contains(w))
                && !zh_negated_anywhere(clause)
                && !ZH_NEG_BEFORE.iter().any(|n| clause[..at].ends_with(n))
                && !["几点", "时间", "上班", "下班", "周末"]
                    .iter()
                    .any(|t| clause.contains(t))
        })
    })
}

/// "你们有在线客服吗", "贵公司有没有电话客服": whether the business offers a
/// kind of channel, asked (the kind is what is asked about).
fn zh_offers_channel(clause: &str) -> bool {
    const KINDS: &[&str] = &[
        "在线", "电话", "线上", "网上", "微信", "邮件", "视频", "专属", "24小时",
    ];
    [
        "你们有",
        "你们有没有",
        "贵公司有",
        "贵公司有没有",
        "你们这有",
        "你们家有",
    ]
    .iter()
    .any(|h| {
        clause.match_indices(h).any(|(at, _)| {
            let rest = &clause[at + h.len()..];
            KINDS
                .iter()
                .find_map(|k| rest.strip_prefix(k))
                .is_some_and(|r| {
                    let r = r.strip_prefix("的").unwrap_or(r);
                    ["客服", "人工客服", "人工"].iter().any(|o| {
                        r.strip_prefix(o)
                            .is_some_and(|t| t.trim_end_matches(ZH_END).trim().is_empty())
                    })
                })
        })
    })
}

/// The lead before a verb of contact reports a time past ("之前打电话给",
/// "上次联系"), with no wish or plea after the time.
fn zh_past_contact(lead: &str) -> bool {
    const PAST: &[&str] = &[
        "之前",
        "上次",
        "昨天",
        "前天",
        "上周",
        "上个月",
        "前几天",
        "那天",
        "先前",
        "以前",
    ];
    PAST.iter().any(|p| {
        lead.rfind(p).is_some_and(|at| {
            let after = &lead[at + p.len()..];
            ![
                "要", "想", "请", "帮", "麻烦", "能", "可以", "再", "得", "必须",
            ]
            .iter()
            .any(|w| after.contains(w))
        })
    })
}

/// "麻烦安排师傅上门看一下", "能派个人上门核查吗", "预约一下上门量尺寸": a
/// visit of the business's people asked for (not its price or its time:
/// "找人上门量尺寸要钱吗", "安装师傅什么时候上门").
fn zh_visit(clause: &str) -> bool {
    const PERSONS: &[&str] = &[
        "维修师傅",
        "安装师傅",
        "师傅",
        "师父",
        "工作人员",
        "工程师",
        "技术人员",
        "技术员",
        "专人",
        "人员",
        "人",
    ];
    // 让 / 叫 / 请 someone come ("能不能让工作人员上门帮她办").
    const ACTS: &[&str] = &["安排", "派", "预约", "约", "让", "叫", "请"];
    let Some(at) = clause.find("上门") else {
        return false;
    };
    let head = strip_suffixes(&clause[..at], &["来", "过来"]);
    let head = strip_suffixes(head, PERSONS);
    let head = strip_suffixes(head, ZH_FILLERS);
    let head = strip_suffixes(head, &["个时间", "时间"]);
    let head = strip_suffixes(head, ZH_FILLERS);
    // The act further back, before a short description of the person:
    // where they are from ("请安排社区的工作人员上门") or a job by its last
    // character ("安排一下物业电工上门"; 电工, 保洁阿姨 are not listed).
    let head = if ACTS.iter().any(|a| head.ends_with(a)) {
        head
    } else {
        ACTS.iter()
            .filter_map(|a| head.rfind(a).map(|at| &head[..at + a.len()]))
            .max_by_key(|h| h.len())
            .filter(|h| {
                let rest = strip_prefixes(&head[h.len()..], ZH_FILLERS);
                let n = rest.chars().count();
                let placed = desc_len(rest) <= 6 && clause[..at].contains('的');
                let job = (2..=5).contains(&n)
                    && rest.ends_with(['工', '师', '员', '姨'])
                    && rest.chars().all(|c| !not_description(c));
                placed || job
            })
            .unwrap_or(head)
    };
    let Some(act) = ACTS.iter().find(|a| head.ends_with(*a)) else {
        return false;
    };
    let lead = &head[..head.len() - act.len()];
    let asked = !["会", "是否", "要不要", "需不需要", "怎么", "如何"]
        .iter()
        .any(|w| lead.ends_with(w));
    asked
        && !zh_negated_anywhere(lead)
        // "我不想让人上门": declined.
        && !ZH_NEG_BEFORE.iter().any(|n| lead.ends_with(n))
        && !zh_past_contact(lead)
        && ![
            "要钱",
            "收费",
            "收钱",
            "费",
            "多少",
            "多久",
            "什么时候",
            "几点",
            "几天",
            "提前",
            "免费",
            "怎么",
            // A courier's pick-up, and "is that enough?" (让快递员上门取件就行吗).
            "快递",
            "取件",
            "就行",
        ]
        .iter()
        .any(|w| clause.contains(w))
}
