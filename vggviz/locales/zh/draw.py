"""The Draw page (pages/draw.py): the drawing canvas, the live camera, and the messages of
vggviz.inference.live."""

MESSAGES = {
    # --- pages/draw.py: the drawing
    'Draw a shape':
        '画一个形状',
    'With random weights the answer to your drawing is noise.':
        '权重是随机的，网络对你的画给出的答案只是噪声。',
    '✏️ Draw':
        '✏️ 画图',
    '📷 Live camera':
        '📷 实时摄像头',
    "Draw one shape with the mouse, a finger or a pen; after each stroke {variant} answers. "
    "The canvas's own buttons undo, redo and clear strokes.":
        '用鼠标、手指或触控笔画一个形状；每画完一笔，{variant} 就给出答案。画布自带的按钮可以撤销、重做和清除笔画。',
    'Tool':
        '工具',
    '✏️ Pen':
        '✏️ 画笔',
    '🧽 Eraser':
        '🧽 橡皮擦',
    'Brush width':
        '笔刷粗细',
    'Clear':
        '清空',
    'Start again with an empty canvas':
        '从空白画布重新开始',
    'The drawing canvas (streamlit-drawable-canvas) is not installed on this server: pip install -r requirements.txt':
        '此服务器没有安装画布组件（streamlit-drawable-canvas）：pip install -r requirements.txt',
    'drawing':
        '手绘图',
    'probability {pct}%':
        '概率 {pct}%',
    'One pass and Grad-CAM: {ms} ms on {device}':
        '一次前向传播加 Grad-CAM：{ms} 毫秒，在 {device} 上',
    'What the network is given: {side}×{side} px':
        '网络得到的输入：{side}×{side} 像素',
    'Grad-CAM of {cls} at {layer}: where the evidence is':
        '{cls} 在 {layer} 的 Grad-CAM：证据所在的位置',
    'The most active channels of each layer, strongest first':
        '每层激活最强的通道，从最强的开始',
    '{layer}: channels {channels}, the most active first':
        '{layer}：通道 {channels}，激活最强的在前',
    'Open in the other pages':
        '在其他页面中打开',
    'Make this drawing the current image of every page (Forward pass, Feature maps, Grad-CAM …)':
        '把这幅画设为每个页面的当前图像（前向传播、特征图、Grad-CAM ……）',
    'The drawing is now the image of every page.':
        '这幅画现在是每个页面的图像。',
    'Download the drawing (PNG)':
        '下载这幅画（PNG）',
    'Nothing you draw is kept on the server after your session ends.':
        '会话结束后，你画的任何东西都不会保留在服务器上。',
    # --- pages/draw.py: the live camera
    'The live camera is off on this server: a video stream takes a whole CPU core. The teacher '
    'turns it on by starting the app with {env}=1.':
        '此服务器上的实时摄像头已关闭：一路视频流要占用一整个 CPU 核心。老师可以用 {env}=1 启动应用来打开它。',
    'The live camera (streamlit-webrtc) is not installed on this server: pip install -r requirements.txt':
        '此服务器没有安装实时摄像头组件（streamlit-webrtc）：pip install -r requirements.txt',
    "Hold a drawn shape up to the camera: each frame goes through {variant} as fast as this server allows "
    "(frames that arrive meanwhile are dropped, not queued), with the Grad-CAM of the top class and one "
    "layer's maps on the picture.":
        '把画好的形状举到摄像头前：每一帧都以服务器允许的最快速度送入 {variant}（处理期间到达的帧会被丢弃，'
        '而不是排队），画面上叠加第一名类别的 Grad-CAM 和一层的特征图。',
    'The live camera could not start on this server: {reason}':
        '实时摄像头无法在此服务器上启动：{reason}',
    'Start the camera':
        '打开摄像头',
    'Stop':
        '停止',
    'Choose a camera':
        '选择摄像头',
    'This browser cannot use a camera here (it needs https or localhost).':
        '这个浏览器在这里无法使用摄像头（需要 https 或 localhost）。',
    'Allow the camera in your browser to start.':
        '请在浏览器中允许使用摄像头以开始。',
    'No camera found: plug one in, or draw on the Draw tab.':
        '没有找到摄像头：请接上一个，或者在“画图”标签页中画。',
    "Camera permission refused: allow it in the browser's address bar, or draw on the Draw tab.":
        '摄像头权限被拒绝：请在浏览器地址栏中允许，或者在“画图”标签页中画。',
    'Frames per second':
        '每秒帧数',
    'Frames through the network per second, over the last few seconds':
        '最近几秒内每秒通过网络的帧数',
    'Frames':
        '帧数',
    '{dropped} dropped while the network was busy, {skipped} passed through while other students waited':
        '网络忙时丢弃了 {dropped} 帧，其他同学等待时直接放行了 {skipped} 帧',
    'The camera shows your picture but the network is paused: start it again in a minute.':
        '摄像头显示着你的画面，但网络已暂停：请一分钟后重新开始。',
    "The server is busy with other students' images: the network skips frames until they are done.":
        '服务器正在处理其他同学的图像：在他们完成之前，网络会跳过帧。',
    'No picture has arrived from the camera yet: check that no other program uses it, or stop and start it again.':
        '还没有收到摄像头的画面：请检查是否有其他程序正在使用它，或者停止后重新打开。',
    # --- vggviz/inference/live.py
    'Draw something first: the canvas is empty.':
        '请先画点什么：画布是空的。',
    'That is only a dot: draw a shape across at least {pct}% of the canvas.':
        '这只是一个点：请画一个至少横跨画布 {pct}% 的形状。',
    "The camera's frame could not be analysed: {reason}":
        '无法分析摄像头的这一帧：{reason}',
}
