//! What the store's test binaries share.

/// Declares each test twice: once on SQLite, once on MySQL (`#[ignore]`d:
/// it needs `CHAT_TEST_MYSQL_URL`). By default each test gets the store;
/// `on_both_backends!(|db| EXPR, WORKERS; a, b)` passes `EXPR` of the
/// `TestDb` instead, on that many worker threads.
#[macro_export]
macro_rules! on_both_backends {
    (|$db:ident| $arg:expr, $workers:literal; $($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = $workers)]
            async fn $name() {
                let $db = chat_store::testing::TestDb::sqlite().await;
                super::$name($arg).await;
            })+
        }
        mod mysql {
            $(#[ignore = "needs MySQL (CHAT_TEST_MYSQL_URL)"]
            #[tokio::test(flavor = "multi_thread", worker_threads = $workers)]
            async fn $name() {
                let $db = chat_store::testing::TestDb::mysql().await;
                super::$name($arg).await;
            })+
        }
    };
    ($($name:ident),+ $(,)?) => {
        $crate::on_both_backends!(|db| db.store.clone(), 4; $($name),+);
    };
}
