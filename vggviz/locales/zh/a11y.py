"""Alternative text of every picture (vggviz/figures/alt.py) and the colour maps' legends and help
(vggviz/maps.py): what a screen reader reads instead of the picture."""

MESSAGES = {
    # vggviz/figures/alt.py
    'values from {lo} to {hi}': '数值从 {lo} 到 {hi}',
    'top left': '左上', 'top centre': '上方正中', 'top right': '右上',
    'middle left': '左侧中部', 'centre': '中央', 'middle right': '右侧中部',
    'bottom left': '左下', 'bottom centre': '下方正中', 'bottom right': '右下',
    'Input image “{name}”, {w}×{h} px.': '输入图像“{name}”，{w}×{h} 像素。',
    "The original image, {w}×{h} px, with the network's centre crop outlined.":
        '原始图像，{w}×{h} 像素，框出了网络使用的中心裁剪。',
    'The image resized to {w}×{h} px.': '缩放到 {w}×{h} 像素的图像。',
    'The centre crop the network sees, {w}×{h} px.': '网络看到的中心裁剪，{w}×{h} 像素。',
    'The normalised crop, {w}×{h} px: grey is the mean, black and white ±{range} standard deviations.':
        '归一化后的裁剪，{w}×{h} 像素：灰色是均值，黑与白是 ±{range} 个标准差。',
    'Training view: short side scaled to {S} px, a {size} px crop at ({x}, {y}), flipped.':
        '训练时的一个版本：短边缩放到 {S} 像素，在 ({x}, {y}) 处裁剪 {size} 像素，并水平翻转。',
    'Training view: short side scaled to {S} px, a {size} px crop at ({x}, {y}).':
        '训练时的一个版本：短边缩放到 {S} 像素，在 ({x}, {y}) 处裁剪 {size} 像素。',
    'Feature maps of {layer}: {C} channels of {H}×{W} in a {cols}×{rows} grid, colour map {cmap} (dark low, '
    'bright high); {range}; the strongest unit is in channel {channel}.':
        '{layer} 的特征图：{C} 个 {H}×{W} 的通道排成 {cols}×{rows} 的网格，色图 {cmap}（暗为低，亮为高）；'
        '{range}；最强的单元在通道 {channel}。',
    'The {n} filters of {layer} as {kh}×{kw} colour patches on one shared scale; weights from {lo} to {hi}.':
        '{layer} 的 {n} 个滤波器，画成 {kh}×{kw} 的彩色小块，使用同一个尺度；权重从 {lo} 到 {hi}。',
    'Kernels of {layer}: rows are output channels {first}–{last}, columns input channels 0–{last_in}; red '
    'positive, blue negative, white zero; weights from {lo} to {hi}.':
        '{layer} 的卷积核：行是输出通道 {first}–{last}，列是输入通道 0–{last_in}；红为正，蓝为负，白为零；'
        '权重从 {lo} 到 {hi}。',
    '{method} map of “{label}” at {layer}: zero everywhere.': '{method} 在 {layer} 上对“{label}”的图处处为零。',
    '{method} map of “{label}”: zero everywhere.': '{method} 对“{label}”的图处处为零。',
    '{method} map of “{label}” at {layer} over the image, colour map {cmap}: strongest at the {where}; {pct}% '
    'of the picture is above half the maximum.':
        '{method} 在 {layer} 上对“{label}”的图叠加在图像上，色图 {cmap}：最强处在{where}；'
        '图中 {pct}% 的面积高于最大值的一半。',
    '{method} map of “{label}” over the image, colour map {cmap}: strongest at the {where}; {pct}% of the '
    'picture is above half the maximum.':
        '{method} 对“{label}”的图叠加在图像上，色图 {cmap}：最强处在{where}；图中 {pct}% 的面积高于最大值的一半。',
    'Patch of {source} where {layer} channel {channel} fires hardest: value {value}.':
        '{source} 中 {layer} 通道 {channel} 激活最强的图块：数值 {value}。',
    'Image being painted for {layer} channel {channel}, step {step}.':
        '正在为 {layer} 通道 {channel} 绘制的图像，第 {step} 步。',
    'Image painted to make {layer} channel {channel} fire: value {value} on it.':
        '为激活 {layer} 通道 {channel} 而绘制的图像：在它上面的数值为 {value}。',
    'The 3×3 pixels conv1_1 reads, enlarged; {range}.': 'conv1_1 读取的 3×3 个像素（放大显示）；{range}。',
    'QR code of this link: {url}': '此链接的二维码：{url}',
    'Example of “{label}”: {name}': '“{label}”的示例：{name}',
    # pages/feature_maps.py: the keyboard's way to a unit
    '🔬 Open its strongest unit in One unit': '🔬 在“单个神经元”页打开它最强的神经元',
    # vggviz/maps.py: the colour maps
    'Colour map inferno: black is 0, through red and orange to pale yellow at the maximum.':
        '色图 inferno：黑色为 0，经过红色和橙色，到最大值处为浅黄色。',
    'Colour map viridis: dark purple is 0, through blue and green to yellow at the maximum.':
        '色图 viridis：深紫色为 0，经过蓝色和绿色，到最大值处为黄色。',
    'Colour map cividis: dark blue is 0, through grey to yellow at the maximum; readable with red–green colour '
    'blindness.':
        '色图 cividis：深蓝色为 0，经过灰色，到最大值处为黄色；红绿色盲也能读懂。',
    'Colour map magma: black is 0, through purple and pink to pale yellow at the maximum.':
        '色图 magma：黑色为 0，经过紫色和粉色，到最大值处为浅黄色。',
    'Colour map gray: black is 0, white the maximum.': '色图 gray：黑色为 0，白色为最大值。',
    'Colour map turbo: dark blue is 0, through green and yellow to dark red at the maximum. A rainbow map: its '
    'brightness rises and falls, so it shows edges the data does not have.':
        '色图 turbo：深蓝色为 0，经过绿色和黄色，到最大值处为深红色。这是彩虹色图：亮度忽高忽低，'
        '会显示出数据中并不存在的边缘。',
    'Colour map jet: dark blue is 0, through cyan, yellow and red to dark red at the maximum. A rainbow map: its '
    'brightness rises and falls, so it shows edges the data does not have and misleads readers with '
    'colour-vision deficiencies (Borland & Taylor 2007).':
        '色图 jet：深蓝色为 0，经过青色、黄色和红色，到最大值处为深红色。这是彩虹色图：亮度忽高忽低，'
        '会显示出数据中并不存在的边缘，并误导色觉缺陷的读者（Borland & Taylor 2007）。',
    'Colour map {cmap}: low to high.': '色图 {cmap}：由低到高。',
    'inferno (the default), viridis, cividis and magma are perceptually uniform: equal steps in the map look like '
    'equal steps in colour, and they read the same with colour-vision deficiencies and in greyscale. turbo and '
    'jet are rainbow maps: their brightness rises and falls, so they show edges the map does not have and '
    'mislead readers with colour-vision deficiencies (Borland & Taylor 2007).':
        'inferno（默认）、viridis、cividis 和 magma 在感知上是均匀的：图中相等的数值差看起来就是相等的颜色差，'
        '色觉缺陷的读者和灰度打印也能同样读懂。turbo 和 jet 是彩虹色图：亮度忽高忽低，会显示出图中并不存在的边缘，'
        '并误导色觉缺陷的读者（Borland & Taylor 2007）。',
}
