pub struct Direct { next: Direct }
pub struct ThroughOption { next: Option<ThroughOption> }
pub struct A { b: B }
pub struct B { a: Option<A> }
// Fine: indirection through Vec and a map value.
pub struct Tree { children: Vec<Tree>, named: HashMap<String, Tree> }
pub struct Ok2 { children: Vec<Ok2>, by_name: HashMap<String, Ok2> }
type Loop = Loop2;
type Loop2 = Loop;
pub struct UsesLoop { x: Loop }
