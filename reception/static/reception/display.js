// The waiting-room screen: a button to go full screen (the board itself refreshes through htmx).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-fullscreen]");
  if (!button) { return; }
  if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
});
