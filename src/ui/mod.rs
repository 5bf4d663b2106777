//! The view: `draw(&App, &mut Frame)`. Reads state, writes nothing else.
